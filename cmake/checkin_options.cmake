# One INTERFACE target carries warnings and sanitizer switches; every target links it.
add_library(checkin_options INTERFACE)
add_library(checkin::options ALIAS checkin_options)

target_compile_features(checkin_options INTERFACE cxx_std_20)
target_compile_options(checkin_options INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
  -Wcast-align -Woverloaded-virtual -Wimplicit-fallthrough
  # GCC 12 misreads Asio's recycling allocator for coroutine frames (operator new/delete of
  # awaitable_frame_base) as a mismatched pair.
  -Wno-mismatched-new-delete)
target_compile_definitions(checkin_options INTERFACE BOOST_ASIO_NO_DEPRECATED)
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  # GCC has sized operator delete in C++14 and later; clang before 19 only when asked
  # (request_arena.cpp calls it).
  target_compile_options(checkin_options INTERFACE -fsized-deallocation)
endif()

if(CHECKIN_SANITIZE)
  # -UNDEBUG: the sanitizer build also keeps assertions, ours and Beast's (BOOST_ASSERT), at
  # any build type: a parser state the network can reach must not trip one.
  target_compile_options(checkin_options INTERFACE
    -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
    -UNDEBUG)
  target_link_options(checkin_options INTERFACE -fsanitize=address,undefined)
endif()

# add_checkin_test(<name> SOURCES ... [LIBS ...] [LABELS ...])
# One GoogleTest executable, registered with ctest test by test.
function(add_checkin_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE checkin::options GTest::gtest GTest::gtest_main ${ARG_LIBS})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests)  # support/
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/tests)
  target_compile_definitions(${name} PRIVATE
    CHECKIN_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    CHECKIN_BINARY_DIR="${PROJECT_BINARY_DIR}")
  set(labels unit)
  if(ARG_LABELS)
    set(labels ${ARG_LABELS})
  endif()
  gtest_discover_tests(${name}
    DISCOVERY_TIMEOUT 60
    PROPERTIES LABELS "${labels}"
      ENVIRONMENT "LSAN_OPTIONS=suppressions=${PROJECT_SOURCE_DIR}/tests/lsan.supp")
endfunction()

# add_checkin_bench(<name> SOURCES ... [LIBS ...])
function(add_checkin_bench name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE checkin::options benchmark::benchmark ${ARG_LIBS})
  if(CHECKIN_MIMALLOC)
    # The allocator the gateway runs on, so in-process figures match the binary's.
    target_link_libraries(${name} PRIVATE mimalloc)
  endif()
endfunction()

# The fuzz tree (CHECKIN_FUZZ): coverage for libFuzzer in every library, ASan+UBSan, and any
# UBSan report fatal so it is a finding. The fuzzer executables add -fsanitize=fuzzer at link.
if(CHECKIN_FUZZ)
  # -fno-sanitize=function: clang 14 cannot emit its prologue data for split coroutines ("Cannot
  # represent a difference across sections", llvm/llvm-project#49689).
  target_compile_options(checkin_options INTERFACE
    -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
    -fno-sanitize=function -fno-omit-frame-pointer)
  target_link_options(checkin_options INTERFACE -fsanitize=address,undefined)
endif()
