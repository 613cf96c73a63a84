# SPDX-License-Identifier: Apache-2.0
# What `cmake --install` lays down besides the binary and plugins: pages, configuration,
# systemd unit and man page. With CMAKE_INSTALL_PREFIX=/usr the configuration goes to /etc.
include(GNUInstallDirs)

set(PC_CONFIG_FILE "${CMAKE_INSTALL_FULL_SYSCONFDIR}/portcullis/portcullis.conf")
set(PC_BINARY "${CMAKE_INSTALL_FULL_BINDIR}/portcullis")
set(PC_STATE_DIR "/var/lib/portcullis")
set(PC_PLUGIN_DIR "${CMAKE_INSTALL_PREFIX}/lib/portcullis/plugins")
set(PC_WEBAPP_DIR "${CMAKE_INSTALL_FULL_DATADIR}/portcullis/webapp")
set(PC_SYSTEMD_UNIT_DIR "${CMAKE_INSTALL_PREFIX}/lib/systemd/system" CACHE PATH
    "Where the systemd unit is installed")

install(DIRECTORY ${PROJECT_SOURCE_DIR}/webapp/ DESTINATION ${CMAKE_INSTALL_DATADIR}/portcullis/webapp
  FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)

configure_file(${PROJECT_SOURCE_DIR}/packaging/portcullis.conf.in
  ${CMAKE_BINARY_DIR}/packaging/portcullis.conf @ONLY)
configure_file(${PROJECT_SOURCE_DIR}/packaging/portcullis.service.in
  ${CMAKE_BINARY_DIR}/packaging/portcullis.service @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/packaging/portcullis.conf
  DESTINATION ${CMAKE_INSTALL_FULL_SYSCONFDIR}/portcullis PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
install(FILES ${CMAKE_BINARY_DIR}/packaging/portcullis.service DESTINATION ${PC_SYSTEMD_UNIT_DIR})
install(FILES ${PROJECT_SOURCE_DIR}/packaging/portcullis.8 DESTINATION ${CMAKE_INSTALL_MANDIR}/man8)
