// Recognises what the sound libraries print by themselves (ALSA's config probing, JACK's "cannot connect",
// PortAudio's and naudiodon's own lines): about 300 lines per run on a PC without a sound card, none of
// which the user can act on. The CLI keeps them off the terminal unless --log-level debug. Pure.

const NATIVE_LINE: readonly RegExp[] = [
  /^ALSA lib /, // alsa-lib's SNDERR(): "ALSA lib pcm.c:2666:(snd_pcm_open_noupdate) Unknown PCM …"
  /^Jack/, // JackShmReadWritePtr::~JackShmReadWritePtr - Init not done …
  /^jack server /i,
  /^Cannot connect to server (socket|request channel)/,
  /^Cannot (open|lock|read|create)/, // libjack: "Cannot open shm segment", "Cannot read socket fd"
  /^PortAudio/, // naudiodon's version banner
  /^(Input|Output) (audio options|device name is|stream)/i, // naudiodon's printf()s
  /^Expression '.*' failed in '.*'/, // PortAudio's PA_ENSURE in its ALSA host API
  /^AudioIO|^AudioIn|^AudioOut/, // naudiodon stream messages
  /^pa_context_connect|^Connection failure/, // libpulse
  /^\s*$/,
];

/** True for a line printed by a native audio library (not by us, not by Node). */
export function isNativeNoise(line: string): boolean {
  return NATIVE_LINE.some((re) => re.test(line));
}
