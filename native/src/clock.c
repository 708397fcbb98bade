/* The absolute clock of the media thread: clock_nanosleep(TIMER_ABSTIME) on Linux, mach_wait_until on
   macOS (no clock_nanosleep there), a high-resolution waitable timer on Windows. */
#include "net_compat.h"

#if defined(__APPLE__)
#include <mach/mach_time.h>
static mach_timebase_info_data_t timebase;
uint64_t mono_ns(void) {
  if (timebase.denom == 0) mach_timebase_info(&timebase);
  return mach_absolute_time() * timebase.numer / timebase.denom;
}
void sleep_until_ns(uint64_t deadline) {
  if (timebase.denom == 0) mach_timebase_info(&timebase);
  mach_wait_until(deadline * timebase.denom / timebase.numer);
}
#elif defined(_WIN32)
#include <windows.h>
uint64_t mono_ns(void) {
  LARGE_INTEGER f, c;
  QueryPerformanceFrequency(&f);
  QueryPerformanceCounter(&c);
  return (uint64_t)((double)c.QuadPart * 1e9 / (double)f.QuadPart);
}
void sleep_until_ns(uint64_t deadline) {
  uint64_t now = mono_ns();
  if (deadline <= now) return;
  HANDLE t = CreateWaitableTimerExW(NULL, NULL, 0x00000002 /* HIGH_RESOLUTION */, TIMER_ALL_ACCESS);
  LARGE_INTEGER due;
  due.QuadPart = -(LONGLONG)((deadline - now) / 100);
  if (t && SetWaitableTimer(t, &due, 0, NULL, NULL, FALSE)) WaitForSingleObject(t, INFINITE);
  else Sleep((DWORD)((deadline - now) / 1000000));
  if (t) CloseHandle(t);
}
#else
#include <time.h>
uint64_t mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}
void sleep_until_ns(uint64_t deadline) {
  struct timespec ts;
  ts.tv_sec = (time_t)(deadline / 1000000000ull);
  ts.tv_nsec = (long)(deadline % 1000000000ull);
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {
  }
}
#endif

int sock_nonblocking(sock_t s) {
#ifdef _WIN32
  u_long on = 1;
  return ioctlsocket(s, FIONBIO, &on) == 0 ? 0 : -1;
#else
  int flags = fcntl(s, F_GETFL, 0);
  if (flags < 0) return -1;
  return fcntl(s, F_SETFL, flags | O_NONBLOCK) == 0 ? 0 : -1;
#endif
}
