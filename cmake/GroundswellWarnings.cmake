# The one place that sets compiler warnings (STYLE.md 13), after FLAME GPU 2's
# cmake/warnings.cmake: every target of the project calls
#   groundswell_set_warnings(<target>)
# and nothing sets warning flags globally.
#
# GROUNDSWELL_WARNINGS_AS_ERRORS (an option of the top-level CMakeLists.txt,
# default OFF) turns every warning into an error; scripts/test (the CI build),
# scripts/ci-extra and the sanitizer builds turn it ON. A developer's build
# keeps warnings as warnings, so that a newer compiler with new warnings does
# not stop a build from source.

function(groundswell_set_warnings target)
  if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(${target} PRIVATE
      $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion>)
    if(GROUNDSWELL_WARNINGS_AS_ERRORS)
      target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:-Werror>)
    endif()
    # Instrumented code makes GCC's -Wmaybe-uninitialized report what is not
    # there (GCC 12 on libstdc++'s <regex>, which httplib.h includes, with
    # -fsanitize=address at -O1); builds without sanitizers keep the warning.
    if(GROUNDSWELL_SANITIZE AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
      target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:-Wno-maybe-uninitialized>)
    endif()
    # No source-tree path in a binary: __FILE__ (assert messages) is written
    # relative to the source and build trees. Debug information keeps its
    # full paths, so a debugger still finds the sources.
    target_compile_options(${target} PRIVATE
      -fmacro-prefix-map=${PROJECT_SOURCE_DIR}/= -fmacro-prefix-map=${PROJECT_BINARY_DIR}/=)
  elseif(MSVC)
    target_compile_options(${target} PRIVATE /W4 $<$<BOOL:${GROUNDSWELL_WARNINGS_AS_ERRORS}>:/WX>)
  endif()
endfunction()
