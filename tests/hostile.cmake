# The hostile-plugin corpus: plugins whose own code ends the process, one registering
# thousands of classes, and (laid out by the tests themselves in scratch directories) symbolic
# link loops, unreadable files and files that are not files. Uses fx_plugin() of plugins.cmake.
#
# Fixture roots under SPECULATORS_TEST_PLUGIN_ROOT:
#   hostile-ends/     hx.plain: exits.so and aborts.so, built for this host; they run when
#                     loaded, so only death tests load them
#   hostile-refused/  hx.plain: the same two built with a foreign ABI tag (refused on their
#                     manifest, never run) and good.so
#   hostile-good/     hx.plain: good.so and sub/deeper.so, copied by the tests into layouts
#   hostile-many/     hx.many: many.so, 2,000 registrations
set(hx_foreign_tag SPECULATORS_ABI_TAG="libfoo++0/not-this-host")
fx_plugin(hx_ends_exits hostile-ends hx.plain exits hostile_ends.cpp HX_KEY="exits" HX_ENDS_WITH_EXIT)
fx_plugin(hx_ends_aborts hostile-ends hx.plain aborts hostile_ends.cpp HX_KEY="aborts")
fx_plugin(hx_refused_exits hostile-refused hx.plain exits hostile_ends.cpp HX_KEY="exits" HX_ENDS_WITH_EXIT
          ${hx_foreign_tag})
fx_plugin(hx_refused_aborts hostile-refused hx.plain aborts hostile_ends.cpp HX_KEY="aborts" ${hx_foreign_tag})
fx_plugin(hx_refused_good hostile-refused hx.plain good hostile_good.cpp HX_KEY="good")
fx_plugin(hx_good hostile-good hx.plain good hostile_good.cpp HX_KEY="good")
fx_plugin(hx_good_deeper hostile-good hx.plain sub/deeper hostile_good.cpp HX_KEY="deeper")
# POSIX-only: mingw-w64's linker takes over 12 minutes on the sections of its 2,000 classes.
if(NOT WIN32)
  fx_plugin(hx_many hostile-many hx.many many hostile_many.cpp)
endif()

target_sources(registry_tests PRIVATE ${CMAKE_CURRENT_LIST_DIR}/plugin_hostile_refused_test.cpp)
# Links, modes, FIFOs, ELF files and resource limits: POSIX-only.
if(NOT WIN32)
  target_sources(registry_tests PRIVATE ${CMAKE_CURRENT_LIST_DIR}/plugin_hostile_test.cpp)
  add_dependencies(registry_tests hx_many)
endif()
add_dependencies(registry_tests hx_ends_exits hx_ends_aborts hx_refused_exits hx_refused_aborts hx_refused_good
                 hx_good hx_good_deeper)
