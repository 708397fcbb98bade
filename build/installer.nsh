; Windows Defender Firewall rules for Softphone (issue 4, the seed's firewall settings), included by electron-builder's
; NSIS installer (electron-builder.yml: nsis.include). Without inbound rules, Windows drops the SIP requests and
; RTP a server or peer sends to us (incoming calls never ring, one-way audio) or stops the first call to ask.
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
  nsExec::ExecToLog '"$SYSDIR\netsh.exe" advfirewall firewall add rule name="${SOFTPHONE_FW_APP_RULE}" dir=in action=allow program="$INSTDIR\${APP_EXECUTABLE_FILENAME}" protocol=UDP profile=any enable=yes description="Incoming SIP and RTP for Softphone calls"'
  Pop $R9
  ${if} $R9 != 0
    DetailPrint "The firewall rule could not be added (netsh exit code $R9); Windows will ask on the first call."
  ${endif}
  nsExec::ExecToLog '"$SYSDIR\netsh.exe" advfirewall firewall add rule name="${SOFTPHONE_FW_PORT_RULE}" dir=in action=allow program="$INSTDIR\${APP_EXECUTABLE_FILENAME}" protocol=UDP localport=${SOFTPHONE_FW_PORTS} profile=any enable=yes description="Softphone default SIP port and RTP port range"'
  Pop $R9
  ${if} $R9 != 0
    DetailPrint "The firewall rule for the SIP and RTP ports could not be added (netsh exit code $R9)."
  ${endif}
  Pop $R9
!macroend

!macro customUnInstall
  Push $R9
  !insertmacro softphoneFirewallDeleteRules
  Pop $R9
!macroend
