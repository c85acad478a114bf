// Where the code of a process's first discovery is placed.
#pragma once

/// Marks a function that the first discovery of a process runs (and with it every
/// registration and lookup). The compiler gives such functions a section of their own
/// (.text.hot) and the linker places them together: the first call finds none of the
/// library's code in the caches, and so touches fewer of its pages (measured in bench/:
/// discovery, 3-5% at 1 to 100 plugins).
#define SPECULATORS_FIRST_CALL [[gnu::hot]]
