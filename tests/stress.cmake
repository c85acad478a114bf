# The concurrency stress test: registration, lookups and discovery of the fixture plugins,
# all at once for a bounded time (SPECULATORS_STRESS_SECONDS, default 2).
target_sources(registry_tests PRIVATE ${CMAKE_CURRENT_LIST_DIR}/stress_test.cpp)
