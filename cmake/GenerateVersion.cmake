# Run at build time (cmake -P): writes version.hpp with the current commit,
# touching it only when the text changes so nothing rebuilds needlessly.
execute_process(COMMAND git rev-parse --short=12 HEAD
  WORKING_DIRECTORY ${SOURCE_DIR}
  OUTPUT_VARIABLE GROUNDSWELL_GIT_COMMIT OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT GROUNDSWELL_GIT_COMMIT)
  set(GROUNDSWELL_GIT_COMMIT "unknown")
endif()
execute_process(COMMAND git status --porcelain --untracked-files=no
  WORKING_DIRECTORY ${SOURCE_DIR}
  OUTPUT_VARIABLE _dirty OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(_dirty)
  set(GROUNDSWELL_GIT_COMMIT "${GROUNDSWELL_GIT_COMMIT}-dirty")
endif()
configure_file(${SOURCE_DIR}/cmake/version.hpp.in ${OUTPUT} @ONLY)
