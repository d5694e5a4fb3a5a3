# seed_corpus.cmake — copies a harness's seed files into its corpus folder in the build tree, at build time.
# cmake -DOUT=<corpus dir> -DROOT=<source dir> -DGLOBS=<glob|glob|...> -P seed_corpus.cmake
# Each seed is named after its path below ROOT ("examples__claim.submitted__valid__01-x.json"): the examples
# have equal file names in different folders. The seeds stay in schemas/ only; libFuzzer adds what it finds to
# the same folder, so the corpus grows in the build tree and a rebuild keeps it.
cmake_minimum_required(VERSION 3.25)
file(MAKE_DIRECTORY "${OUT}")
set(count 0)
string(REPLACE "|" ";" globs "${GLOBS}")
foreach(glob IN LISTS globs)
  file(GLOB files "${ROOT}/${glob}")
  foreach(f IN LISTS files)
    file(RELATIVE_PATH rel "${ROOT}" "${f}")
    string(REPLACE "/" "__" flat "${rel}")
    file(COPY_FILE "${f}" "${OUT}/${flat}" ONLY_IF_DIFFERENT)
    math(EXPR count "${count} + 1")
  endforeach()
endforeach()
if(count EQUAL 0)
  message(FATAL_ERROR "no seed file matches ${GLOBS} below ${ROOT}")
endif()
