; PostDesk installer (NSIS 3, Unicode, 64-bit). Built by scripts/windows.sh:
;   makensis -INPUTCHARSET UTF8 -DVERSION=0.1.0 -DSRC=<repo> -DOUT=<setup.exe> [-DWITH_HUB] [-DSIGN_CMD=...]
; Per-machine install under Program Files; the data (database, receipts,
; backups, logs) lives in %PROGRAMDATA%\PostDesk, shared by every Windows
; account of the post point's PC, and is kept on uninstall unless the user
; ticks "also delete data". /S installs and uninstalls silently (data kept).

Unicode true
Target amd64-unicode
SetCompressor /SOLID lzma
RequestExecutionLevel admin
ManifestDPIAware true

!ifndef VERSION
  !error "VERSION is not defined"
!endif
!ifdef SIGN_CMD
  !uninstfinalize '${SIGN_CMD} "%1"'
!endif

!define APPKEY "Software\PostDesk"
!define UNINSTKEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\PostDesk"
!define SHORTCUT "PostDesk - Tiếp nhận hồ sơ"

Name "PostDesk ${VERSION}"
OutFile "${OUT}"
InstallDir "$PROGRAMFILES64\PostDesk"
InstallDirRegKey HKLM "${APPKEY}" "InstallDir"
BrandingText "PostDesk ${VERSION}"

VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=0 "ProductName" "PostDesk"
VIAddVersionKey /LANG=0 "FileDescription" "PostDesk ${VERSION} Setup"
VIAddVersionKey /LANG=0 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "LegalCopyright" "PostDesk"

!include "MUI2.nsh"
!include "x64.nsh"
!include "LogicLib.nsh"

!define MUI_ICON "${SRC}\bin\postdesk-setup.ico"
!define MUI_UNICON "${SRC}\bin\postdesk-setup.ico"
!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\postdesk.exe"
!define MUI_UNCOMPONENTSPAGE_NODESC

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_COMPONENTS
!insertmacro MUI_UNPAGE_INSTFILES

; Vietnamese first (the default), English second.
!insertmacro MUI_LANGUAGE "Vietnamese"
!insertmacro MUI_LANGUAGE "English"

LangString SecProgram ${LANG_VIETNAMESE} "Chương trình PostDesk"
LangString SecProgram ${LANG_ENGLISH} "PostDesk program"
LangString UnSecProgram ${LANG_VIETNAMESE} "Gỡ chương trình (giữ lại dữ liệu)"
LangString UnSecProgram ${LANG_ENGLISH} "Remove the program (the data is kept)"
LangString UnSecData ${LANG_VIETNAMESE} "Xóa cả dữ liệu (cơ sở dữ liệu, biên nhận, bản sao lưu)"
LangString UnSecData ${LANG_ENGLISH} "Also delete data (database, receipts, backups)"
LangString SyncFile ${LANG_VIETNAMESE} "Tệp đồng bộ PostDesk"
LangString SyncFile ${LANG_ENGLISH} "PostDesk sync file"
LangString ReplyFile ${LANG_VIETNAMESE} "Tệp phản hồi của tỉnh (PostDesk)"
LangString ReplyFile ${LANG_ENGLISH} "PostDesk reply from the province"
LangString Need64 ${LANG_VIETNAMESE} "PostDesk cần Windows 64 bit."
LangString Need64 ${LANG_ENGLISH} "PostDesk needs 64-bit Windows."

Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_ICONSTOP "$(Need64)" /SD IDOK
    Abort
  ${EndIf}
  SetRegView 64
  SetShellVarContext all
FunctionEnd

Function un.onInit
  SetRegView 64
  SetShellVarContext all
FunctionEnd

Section "$(SecProgram)" SecMain
  SectionIn RO
  SetOutPath "$INSTDIR"
  File "${SRC}\bin\postdesk.exe"
!ifdef WITH_HUB
  File "${SRC}\bin\postdesk-hub.exe"
!endif
  File "/oname=README.txt" "${SRC}\packaging\windows\README.txt"

  ; One data folder for the whole PC ($APPDATA is %PROGRAMDATA% with the
  ; "all" context), writable by every local user (Users: modify).
  CreateDirectory "$APPDATA\PostDesk"
  nsExec::Exec 'icacls "$APPDATA\PostDesk" /grant *S-1-5-32-545:(OI)(CI)M /T /Q'
  Pop $0

  CreateDirectory "$SMPROGRAMS\PostDesk"
  CreateShortcut "$SMPROGRAMS\PostDesk\${SHORTCUT}.lnk" "$INSTDIR\postdesk.exe" "" "$INSTDIR\postdesk.exe" 0
  CreateShortcut "$SMPROGRAMS\PostDesk\Gỡ cài đặt PostDesk.lnk" "$INSTDIR\uninstall.exe"
  CreateShortcut "$DESKTOP\${SHORTCUT}.lnk" "$INSTDIR\postdesk.exe" "" "$INSTDIR\postdesk.exe" 0

  ; File associations: double-clicking a .pdsync or .pdreply opens PostDesk
  ; with the file, which it imports after sign-in.
  WriteRegStr HKLM "Software\Classes\.pdsync" "" "PostDesk.SyncFile"
  WriteRegStr HKLM "Software\Classes\PostDesk.SyncFile" "" "$(SyncFile)"
  WriteRegStr HKLM "Software\Classes\PostDesk.SyncFile\DefaultIcon" "" '"$INSTDIR\postdesk.exe",0'
  WriteRegStr HKLM "Software\Classes\PostDesk.SyncFile\shell\open\command" "" '"$INSTDIR\postdesk.exe" "%1"'
  WriteRegStr HKLM "Software\Classes\.pdreply" "" "PostDesk.ReplyFile"
  WriteRegStr HKLM "Software\Classes\PostDesk.ReplyFile" "" "$(ReplyFile)"
  WriteRegStr HKLM "Software\Classes\PostDesk.ReplyFile\DefaultIcon" "" '"$INSTDIR\postdesk.exe",0'
  WriteRegStr HKLM "Software\Classes\PostDesk.ReplyFile\shell\open\command" "" '"$INSTDIR\postdesk.exe" "%1"'
  System::Call 'shell32::SHChangeNotify(i 0x08000000, i 0, p 0, p 0)'

  WriteRegStr HKLM "${APPKEY}" "InstallDir" "$INSTDIR"
  WriteRegStr HKLM "${APPKEY}" "DataDir" "$APPDATA\PostDesk"
  WriteRegStr HKLM "${APPKEY}" "Version" "${VERSION}"

  WriteUninstaller "$INSTDIR\uninstall.exe"
  WriteRegStr HKLM "${UNINSTKEY}" "DisplayName" "PostDesk"
  WriteRegStr HKLM "${UNINSTKEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINSTKEY}" "Publisher" "PostDesk"
  WriteRegStr HKLM "${UNINSTKEY}" "DisplayIcon" '"$INSTDIR\postdesk.exe",0'
  WriteRegStr HKLM "${UNINSTKEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINSTKEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKLM "${UNINSTKEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKLM "${UNINSTKEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINSTKEY}" "NoRepair" 1
SectionEnd

Section "un.$(UnSecProgram)" UnSecMain
  SectionIn RO
  Delete "$INSTDIR\postdesk.exe"
  Delete "$INSTDIR\postdesk-hub.exe"
  Delete "$INSTDIR\README.txt"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  Delete "$SMPROGRAMS\PostDesk\${SHORTCUT}.lnk"
  Delete "$SMPROGRAMS\PostDesk\Gỡ cài đặt PostDesk.lnk"
  RMDir "$SMPROGRAMS\PostDesk"
  Delete "$DESKTOP\${SHORTCUT}.lnk"
  DeleteRegKey HKLM "Software\Classes\.pdsync"
  DeleteRegKey HKLM "Software\Classes\PostDesk.SyncFile"
  DeleteRegKey HKLM "Software\Classes\.pdreply"
  DeleteRegKey HKLM "Software\Classes\PostDesk.ReplyFile"
  DeleteRegKey HKLM "${UNINSTKEY}"
  DeleteRegKey HKLM "${APPKEY}"
  System::Call 'shell32::SHChangeNotify(i 0x08000000, i 0, p 0, p 0)'
SectionEnd

; Not ticked by default, so /S keeps the data too.
Section /o "un.$(UnSecData)" UnSecData
  RMDir /r "$APPDATA\PostDesk"
SectionEnd
