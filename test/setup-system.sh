#!/usr/bin/env bash
# Installs the Debian packages the tests start as real peers (Kamailio and its TLS module, baresip, SIPp,
# PulseAudio, Chromium, tshark, coturn, conntrack, dnsmasq, espeak-ng). Idempotent and quick when everything
# is already there.
set -euo pipefail

need=()
check() { command -v "$1" >/dev/null 2>&1 || need+=("$2"); }
check kamailio kamailio
check baresip baresip
check sipp sip-tester
check pulseaudio pulseaudio
check pactl pulseaudio-utils
check sox sox
check chromium chromium
check tshark tshark
check turnserver coturn
check ip iproute2
check iptables iptables
check makensis nsis
check conntrack conntrack
check dnsmasq dnsmasq-base
# A recorded voice for the loss-concealment test (test/unit/codec/g711-plc.test.ts)
check espeak-ng espeak-ng
# SIP over TLS in Kamailio (test/integration/sip-tls-kamailio.test.ts)
ls /usr/lib/*/kamailio/modules/tls.so >/dev/null 2>&1 || need+=(kamailio-tls-modules)
# Korean glyphs in the e2e screenshots (test/e2e/window-layout.test.ts)
ls /usr/share/fonts/truetype/nanum/NanumGothic*.ttf >/dev/null 2>&1 || need+=(fonts-nanum)
# speexdsp's headers: `npm ci` builds native/ with echo cancellation when pkg-config finds them.
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
pkg-config --exists speexdsp 2>/dev/null || need+=(libspeexdsp-dev)
# libopus's headers: `npm ci` builds native/ with the Opus codec (issue 13) when pkg-config finds them.
pkg-config --exists opus 2>/dev/null || need+=(libopus-dev)
[ -e /usr/lib/x86_64-linux-gnu/alsa-lib/libasound_module_pcm_pulse.so ] || \
  ls /usr/lib/*/alsa-lib/libasound_module_pcm_pulse.so >/dev/null 2>&1 || need+=(libasound2-plugins)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "setup-system: missing ${need[*]}; run as root or: sudo apt-get install ${need[*]}" >&2
  exit 1
fi
echo "setup-system: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" kamailio-extra-modules >/dev/null
# native/ built before speexdsp's or libopus's headers were here lacks them: build it again now.
if printf '%s\n' "${need[@]}" | grep -qxE 'libspeexdsp-dev|libopus-dev' && [ -d node_modules ]; then
  node scripts/build-native.mjs || true
fi
