; Windows Defender Firewall rules and the sip:/tel: handler registration for Softphone, included by electron-builder's
; NSIS installer (electron-builder.yml: nsis.include). Without inbound rules, Windows drops the SIP requests and
; RTP a server or peer sends to us (incoming calls never ring, one-way audio) or stops the first call to ask.
; The rules cover private and domain networks only (profile=private,domain, issue 8): on a network Windows calls
; public (hotel, cafe) the app stays closed to unsolicited packets, and the user can allow it there in Windows
; Security if they want calls on such a network.
;
; electron-builder inserts customInstall after the application files are installed and customUnInstall at the
; start of the uninstall section; an update runs the old uninstaller (deleting the rules) before the new
; installer's customInstall adds them again. netsh needs an elevated installer: electron-builder.yml sets
; nsis.perMachine, so the installer asks for elevation once. A failure is logged, never fatal: Windows then
; asks the user on the first call instead.

!define SOFTPHONE_FW_APP_RULE "Softphone (UDP in)"
!define SOFTPHONE_FW_PORT_RULE "Softphone SIP and RTP ports (UDP in)"
; The defaults of the Transport tab: SIP port 5060 and the RTP range 10000-20000 (RFC 3550 section 11: even RTP
; ports, RTCP on the odd port above). The program rule covers any port chosen there; this one names the
; default ports so an administrator can see and narrow them.
!define SOFTPHONE_FW_PORTS "5060,10000-20000"

; Click-to-call (issue 8): the installer only declares Softphone as ABLE to open sip: and tel: links (a ProgID and
; Capabilities listed under RegisteredApplications), so it appears in Settings > Apps > Default apps; it takes no
; scheme. The app makes itself the handler (app.setAsDefaultProtocolClient, which writes
; HKCU\Software\Classes\<scheme>) only after the user agreed in its own prompt. The uninstaller removes the
; declaration and those HKCU keys while they still open this installation's exe.
!define SOFTPHONE_URL_PROGID "Softphone.Url"
!define SOFTPHONE_CAPABILITIES "Software\Softphone\Capabilities"

!macro softphoneDeclareUrlHandler
  WriteRegStr SHCTX "Software\Classes\${SOFTPHONE_URL_PROGID}" "" "Softphone call link"
  WriteRegStr SHCTX "Software\Classes\${SOFTPHONE_URL_PROGID}\DefaultIcon" "" "$INSTDIR\${APP_EXECUTABLE_FILENAME},0"
  WriteRegStr SHCTX "Software\Classes\${SOFTPHONE_URL_PROGID}\shell\open\command" "" '"$INSTDIR\${APP_EXECUTABLE_FILENAME}" "%1"'
  WriteRegStr SHCTX "${SOFTPHONE_CAPABILITIES}" "ApplicationName" "Softphone"
  WriteRegStr SHCTX "${SOFTPHONE_CAPABILITIES}" "ApplicationDescription" "SIP softphone: calls sip: and tel: links"
  WriteRegStr SHCTX "${SOFTPHONE_CAPABILITIES}\URLAssociations" "sip" "${SOFTPHONE_URL_PROGID}"
  WriteRegStr SHCTX "${SOFTPHONE_CAPABILITIES}\URLAssociations" "tel" "${SOFTPHONE_URL_PROGID}"
  WriteRegStr SHCTX "Software\RegisteredApplications" "Softphone" "${SOFTPHONE_CAPABILITIES}"
!macroend

!macro softphoneRemoveUrlHandler
  Push $R7
  Push $R8
  ; HKCU\Software\Classes\sip and \tel go only while their command starts with this installation's exe, quoted as
  ; Electron writes it: a handler the user has since given to another app is left alone. An update runs this
  ; uninstaller with --updated before installing the same exe path again: the user's choice is kept then.
  ${GetParameters} $R8
  ClearErrors
  ${GetOptions} $R8 "--updated" $R7
  ${if} ${Errors}
  StrLen $R7 '"$INSTDIR\${APP_EXECUTABLE_FILENAME}"'
  ReadRegStr $R8 HKCU "Software\Classes\sip\shell\open\command" ""
  StrCpy $R8 $R8 $R7
  ${if} $R8 == '"$INSTDIR\${APP_EXECUTABLE_FILENAME}"'
    DeleteRegKey HKCU "Software\Classes\sip"
  ${endif}
  ReadRegStr $R8 HKCU "Software\Classes\tel\shell\open\command" ""
  StrCpy $R8 $R8 $R7
  ${if} $R8 == '"$INSTDIR\${APP_EXECUTABLE_FILENAME}"'
    DeleteRegKey HKCU "Software\Classes\tel"
  ${endif}
  ${endif}
  Pop $R8
  Pop $R7
  DeleteRegValue SHCTX "Software\RegisteredApplications" "Softphone"
  DeleteRegKey SHCTX "${SOFTPHONE_CAPABILITIES}"
  DeleteRegKey /ifempty SHCTX "Software\Softphone"
  DeleteRegKey SHCTX "Software\Classes\${SOFTPHONE_URL_PROGID}"
!macroend

!macro softphoneFirewallDeleteRules
  ; "delete rule name=..." removes every rule of that name; exit code 1 when there was none (not an error).
  nsExec::ExecToLog '"$SYSDIR\netsh.exe" advfirewall firewall delete rule name="${SOFTPHONE_FW_APP_RULE}"'
  Pop $R9
  nsExec::ExecToLog '"$SYSDIR\netsh.exe" advfirewall firewall delete rule name="${SOFTPHONE_FW_PORT_RULE}"'
  Pop $R9
!macroend

!macro customInstall
  Push $R9
  ; A reinstall over an old copy would otherwise add a second rule of the same name.
  !insertmacro softphoneFirewallDeleteRules
  DetailPrint "Allowing Softphone through Windows Defender Firewall (UDP in)"
  nsExec::ExecToLog '"$SYSDIR\netsh.exe" advfirewall firewall add rule name="${SOFTPHONE_FW_APP_RULE}" dir=in action=allow program="$INSTDIR\${APP_EXECUTABLE_FILENAME}" protocol=UDP profile=private,domain enable=yes description="Incoming SIP and RTP for Softphone calls"'
  Pop $R9
  ${if} $R9 != 0
    DetailPrint "The firewall rule could not be added (netsh exit code $R9); Windows will ask on the first call."
  ${endif}
  nsExec::ExecToLog '"$SYSDIR\netsh.exe" advfirewall firewall add rule name="${SOFTPHONE_FW_PORT_RULE}" dir=in action=allow program="$INSTDIR\${APP_EXECUTABLE_FILENAME}" protocol=UDP localport=${SOFTPHONE_FW_PORTS} profile=private,domain enable=yes description="Softphone default SIP port and RTP port range"'
  Pop $R9
  ${if} $R9 != 0
    DetailPrint "The firewall rule for the SIP and RTP ports could not be added (netsh exit code $R9)."
  ${endif}
  Pop $R9
  !insertmacro softphoneDeclareUrlHandler
!macroend

!macro customUnInstall
  Push $R9
  !insertmacro softphoneFirewallDeleteRules
  Pop $R9
  !insertmacro softphoneRemoveUrlHandler
!macroend
