# famins_install.cmake — what `cmake --install` puts under the prefix (programs, SQL migrations, plan catalogue,
# places, event schemas, systemd units, example environment files), and the famins-build-tree files that let a
# program in this build tree find the source tree's data instead (common/base/fm_paths.h).
#
#   <prefix>/bin/famins-*                         the programs
#   <prefix>/share/famins/{sql,plans,places,schemas}  found by the programs relative to their own folder
#   <prefix>/share/famins/examples/*.env          the settings the units read from FAMINS_CONFIG_DIR
#   <prefix>/FAMINS_SYSTEMD_UNITDIR/*.service     the units, with the prefix of this install in ExecStart
#   <prefix>/share/doc/famins/                    README.md, OPERATIONS.md

set(FAMINS_SYSTEMD_UNITDIR "lib/systemd/system" CACHE STRING
    "folder of the systemd units; relative: under the install prefix (systemd reads /usr/local/lib/systemd/system)")
set(FAMINS_CONFIG_DIR "/etc/famins" CACHE PATH
    "folder the units read their environment files and credentials from")

set(famins_programs famins-admin famins-eligibility famins-subsidy famins-adjudicator famins-relay famins-report
    famins-rules famins-wavegen)
foreach(program ${famins_programs})
  if(TARGET ${program})
    install(TARGETS ${program} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  endif()
endforeach()

set(famins_datadir ${CMAKE_INSTALL_DATADIR}/famins)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/schemas/sql/ DESTINATION ${famins_datadir}/sql
        FILES_MATCHING PATTERN "*.sql")
install(DIRECTORY ${PROJECT_SOURCE_DIR}/schemas/plans/ DESTINATION ${famins_datadir}/plans
        FILES_MATCHING PATTERN "plan-*.json" PATTERN "README.md")
install(DIRECTORY ${PROJECT_SOURCE_DIR}/schemas/places/ DESTINATION ${famins_datadir}/places
        FILES_MATCHING PATTERN "*.json")
install(DIRECTORY ${PROJECT_SOURCE_DIR}/schemas/events/ DESTINATION ${famins_datadir}/schemas
        FILES_MATCHING PATTERN "*.json" PATTERN "README.md")
install(DIRECTORY ${PROJECT_SOURCE_DIR}/deploy/systemd/ DESTINATION ${famins_datadir}/examples
        FILES_MATCHING PATTERN "*.env")
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/deploy/OPERATIONS.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})

# The units name the programs by their installed path, so they are written at install time, when the prefix is
# known (cmake --install --prefix P overrides the configured one); file(INSTALL) honours DESTDIR.
file(GLOB famins_unit_templates ${PROJECT_SOURCE_DIR}/deploy/systemd/*.service.in
     ${PROJECT_SOURCE_DIR}/deploy/systemd/*.target.in)
if(IS_ABSOLUTE "${CMAKE_INSTALL_BINDIR}")
  set(famins_bindir_expr "${CMAKE_INSTALL_BINDIR}")
else()
  set(famins_bindir_expr "\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}")
endif()
if(IS_ABSOLUTE "${FAMINS_SYSTEMD_UNITDIR}")
  set(famins_unitdir_expr "${FAMINS_SYSTEMD_UNITDIR}")
else()
  set(famins_unitdir_expr "\${CMAKE_INSTALL_PREFIX}/${FAMINS_SYSTEMD_UNITDIR}")
endif()
if(IS_ABSOLUTE "${CMAKE_INSTALL_DOCDIR}")
  set(famins_docdir_expr "${CMAKE_INSTALL_DOCDIR}")
else()
  set(famins_docdir_expr "\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_DOCDIR}")
endif()
set(famins_units_out ${PROJECT_BINARY_DIR}/systemd-units)
install(CODE "
  set(FAMINS_BINDIR \"${famins_bindir_expr}\")
  set(FAMINS_DOCDIR \"${famins_docdir_expr}\")
  set(FAMINS_CONFIG_DIR \"${FAMINS_CONFIG_DIR}\")
  set(famins_units \"\")
  foreach(template ${famins_unit_templates})
    get_filename_component(name \"\${template}\" NAME)
    string(REGEX REPLACE \"[.]in$\" \"\" name \"\${name}\")
    configure_file(\"\${template}\" \"${famins_units_out}/\${name}\" @ONLY)
    list(APPEND famins_units \"${famins_units_out}/\${name}\")
  endforeach()
  file(INSTALL DESTINATION \"${famins_unitdir_expr}\" TYPE FILE FILES \${famins_units})
")

# famins-build-tree beside every program of this build: one line, the source tree (fm_paths reads it when the
# program has no installed data next to it). Never installed.
function(famins_mark_build_tree dir)
  get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
  foreach(target ${targets})
    get_target_property(type ${target} TYPE)
    if(type STREQUAL "EXECUTABLE")
      get_property(binary_dir DIRECTORY ${dir} PROPERTY BINARY_DIR)
      file(CONFIGURE OUTPUT ${binary_dir}/famins-build-tree CONTENT "${PROJECT_SOURCE_DIR}\n")
      break()
    endif()
  endforeach()
  get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
  foreach(subdir ${subdirs})
    famins_mark_build_tree(${subdir})
  endforeach()
endfunction()
famins_mark_build_tree(${PROJECT_SOURCE_DIR})
