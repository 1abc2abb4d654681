; Tokenvault's Windows installer, made offline with Debian's makensis by
; `scripts/cross.sh installer` (Tauri's bundler would download its NSIS plugins first).
; Per user, with no administrator rights, as Tauri's own per-user installer does: the app and
; the command line go to %LOCALAPPDATA%\Programs\Tokenvault, which goes on the user's PATH so a
; terminal finds `tokenvault`; a Start menu shortcut; an entry in Apps & features. The
; uninstaller takes all of that away and leaves the vault (%APPDATA%\tokenvault) alone.
;
;   makensis -DVERSION=0.1.0 -DBINARIES=DIR -DOUTFILE=FILE [-DQUICK] installer.nsi
; DIR holds tokenvault.exe and tokenvault-desktop.exe; QUICK packs with zlib (test builds).

Unicode true
Target amd64-unicode
!include "LogicLib.nsh"
!include "WinMessages.nsh"
!include "StrFunc.nsh"
${StrStr}
${UnStrRep}

!ifndef VERSION
  !error "give VERSION, BINARIES and OUTFILE (see scripts/cross.sh installer)"
!endif
!ifndef BINARIES
  !error "give VERSION, BINARIES and OUTFILE (see scripts/cross.sh installer)"
!endif
!ifndef OUTFILE
  !error "give VERSION, BINARIES and OUTFILE (see scripts/cross.sh installer)"
!endif
!ifdef QUICK
  SetCompressor zlib
!else
  SetCompressor /SOLID lzma
!endif

!define APP "Tokenvault"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\Tokenvault"
!define ENVIRONMENT "Environment"

Name "${APP}"
OutFile "${OUTFILE}"
RequestExecutionLevel user
InstallDir "$LOCALAPPDATA\Programs\${APP}"
InstallDirRegKey HKCU "Software\${APP}" "InstallDir"
VIProductVersion "${VERSION}.0"
VIAddVersionKey "ProductName" "${APP}"
VIAddVersionKey "ProductVersion" "${VERSION}"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "FileDescription" "${APP} installer"
VIAddVersionKey "LegalCopyright" "MIT OR Apache-2.0"
Icon "../../icons/icon.ico"
UninstallIcon "../../icons/icon.ico"

Page directory
Page instfiles
UninstPage uninstConfirm
UninstPage instfiles

Section "${APP}"
  SetOutPath "$INSTDIR"
  File "${BINARIES}/tokenvault-desktop.exe"
  File "${BINARIES}/tokenvault.exe"
  WriteUninstaller "$INSTDIR\uninstall.exe"
  CreateShortcut "$SMPROGRAMS\${APP}.lnk" "$INSTDIR\tokenvault-desktop.exe"
  WriteRegStr HKCU "Software\${APP}" "InstallDir" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "${APP}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "${APP}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\tokenvault-desktop.exe"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1

  ; The install folder on the user's PATH, once.
  ReadRegStr $0 HKCU "${ENVIRONMENT}" "Path"
  ${StrStr} $1 ";$0;" ";$INSTDIR;"
  ${If} $1 == ""
    ${If} $0 == ""
      WriteRegExpandStr HKCU "${ENVIRONMENT}" "Path" "$INSTDIR"
    ${Else}
      WriteRegExpandStr HKCU "${ENVIRONMENT}" "Path" "$0;$INSTDIR"
    ${EndIf}
    SendMessage ${HWND_BROADCAST} ${WM_SETTINGCHANGE} 0 "STR:Environment" /TIMEOUT=5000
  ${EndIf}
SectionEnd

Section "Uninstall"
  Delete "$INSTDIR\tokenvault-desktop.exe"
  Delete "$INSTDIR\tokenvault.exe"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  Delete "$SMPROGRAMS\${APP}.lnk"

  ; The install folder off the user's PATH, wherever it stands in it.
  ReadRegStr $0 HKCU "${ENVIRONMENT}" "Path"
  ${UnStrRep} $1 ";$0;" ";$INSTDIR;" ";"
  ; Drop the two guard semicolons again.
  StrCpy $1 $1 "" 1
  StrCpy $1 $1 -1
  ${If} $1 == ""
    DeleteRegValue HKCU "${ENVIRONMENT}" "Path"
  ${Else}
    WriteRegExpandStr HKCU "${ENVIRONMENT}" "Path" "$1"
  ${EndIf}
  SendMessage ${HWND_BROADCAST} ${WM_SETTINGCHANGE} 0 "STR:Environment" /TIMEOUT=5000

  DeleteRegKey HKCU "${UNINSTALL_KEY}"
  DeleteRegKey HKCU "Software\${APP}"
SectionEnd
