# checkin_embed_text(<target> <file> <namespace> <symbol>)
# Compiles <file> into <target> as `const std::string_view <namespace>::<symbol>`, so the
# binary needs no data files beside it. Re-runs when the file changes.
function(checkin_embed_text target file namespace symbol)
  get_filename_component(abs ${file} ABSOLUTE)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${abs})
  file(READ ${abs} EMBED_CONTENT)
  set(EMBED_SOURCE ${file})
  set(EMBED_NAMESPACE ${namespace})
  set(EMBED_SYMBOL ${symbol})
  set(out ${CMAKE_CURRENT_BINARY_DIR}/embedded_${symbol}.cpp)
  configure_file(${PROJECT_SOURCE_DIR}/cmake/embedded_text.cpp.in ${out} @ONLY)
  target_sources(${target} PRIVATE ${out})
endfunction()
