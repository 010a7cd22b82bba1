# Sanitizer builds (STYLE.md 13), set per target like the warnings: every
# target of the project calls
#   groundswell_set_sanitizers(<target>)
# which adds the flags of GROUNDSWELL_SANITIZE to its compilation and, as a
# usage requirement, to the link of whatever links it (the sanitizer runtime
# must be linked into the executable). Nothing is set globally, so a target
# that must not be instrumented (a Python module, the fuzzers, which bring
# their own sanitizers) simply does not call it.
# Unknown values of GROUNDSWELL_SANITIZE are rejected.
set(GROUNDSWELL_SANITIZE_VALUES "" "address" "undefined" "address+undefined" "thread")
if(NOT GROUNDSWELL_SANITIZE IN_LIST GROUNDSWELL_SANITIZE_VALUES)
  message(FATAL_ERROR "GROUNDSWELL_SANITIZE='${GROUNDSWELL_SANITIZE}' is not one of: address, undefined, address+undefined, thread (or empty)")
endif()

set(GROUNDSWELL_SANITIZER_FLAGS "")
if(GROUNDSWELL_SANITIZE STREQUAL "address")
  set(GROUNDSWELL_SANITIZER_FLAGS -fsanitize=address)
elseif(GROUNDSWELL_SANITIZE STREQUAL "undefined")
  set(GROUNDSWELL_SANITIZER_FLAGS -fsanitize=undefined -fno-sanitize-recover=undefined)
elseif(GROUNDSWELL_SANITIZE STREQUAL "address+undefined")
  set(GROUNDSWELL_SANITIZER_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=undefined)
elseif(GROUNDSWELL_SANITIZE STREQUAL "thread")
  set(GROUNDSWELL_SANITIZER_FLAGS -fsanitize=thread)
endif()
if(GROUNDSWELL_SANITIZE)
  message(STATUS "Groundswell: sanitizers (GROUNDSWELL_SANITIZE) ${GROUNDSWELL_SANITIZE}")
endif()

function(groundswell_set_sanitizers target)
  if(NOT GROUNDSWELL_SANITIZER_FLAGS)
    return()
  endif()
  # Line tables (-g1) are all a sanitizer report needs and compile about twice
  # as fast as full debug information; a Debug build keeps its full -g.
  target_compile_options(${target} PRIVATE ${GROUNDSWELL_SANITIZER_FLAGS} -fno-omit-frame-pointer
                                           $<IF:$<CONFIG:Debug>,-g,-g1>)
  target_link_options(${target} PUBLIC ${GROUNDSWELL_SANITIZER_FLAGS})
endfunction()
