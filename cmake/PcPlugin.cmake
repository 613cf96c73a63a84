# SPDX-License-Identifier: Apache-2.0
# pc_add_plugin(NAME <name> KIND <grant|scheme|provider|storage|idp> SOURCES ... [DEPS ...] [OUTPUT_DIR dir] [NO_INSTALL])
# Builds a MODULE library with hidden visibility that sees only the SDK headers.
function(pc_add_plugin)
  cmake_parse_arguments(P "NO_INSTALL" "NAME;KIND;OUTPUT_DIR" "SOURCES;DEPS" ${ARGN})
  set(target "pc_${P_KIND}_${P_NAME}")
  add_library(${target} MODULE ${P_SOURCES})
  if(NOT P_OUTPUT_DIR)
    set(P_OUTPUT_DIR "${PC_PLUGIN_OUTPUT_DIR}")
  endif()
  set_target_properties(${target} PROPERTIES
    PREFIX ""
    OUTPUT_NAME "${P_KIND}_${P_NAME}"
    C_VISIBILITY_PRESET hidden
    LIBRARY_OUTPUT_DIRECTORY "${P_OUTPUT_DIR}")
  target_include_directories(${target} PRIVATE "${PC_SDK_INCLUDE_DIR}")
  target_link_libraries(${target} PRIVATE PkgConfig::JANSSON ${P_DEPS})
  # Test and example plugins are built, never installed where a server would load them.
  if(NOT P_NO_INSTALL)
    # 0644: the loader refuses plugins others may rewrite, and nothing executes them directly.
    install(TARGETS ${target} LIBRARY DESTINATION lib/portcullis/plugins
      PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
  endif()
endfunction()
