/* Sockets and the absolute clock across POSIX (Linux, macOS) and Windows. Only the POSIX branch is built
   and tested so far; the Windows branch marks what the port needs (Winsock, WSAPoll, a waitable timer). */
#ifndef SOFTPHONE_NET_COMPAT_H
#define SOFTPHONE_NET_COMPAT_H
#include <stdint.h>

#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
typedef SOCKET sock_t;
#define SOCK_INVALID INVALID_SOCKET
#define sock_close closesocket
#define sock_errno() WSAGetLastError()
#define SOCK_EAGAIN WSAEWOULDBLOCK
#define SOCK_EINTR WSAEINTR
#define SOCK_EADDRINUSE WSAEADDRINUSE
#define poll WSAPoll
typedef int socklen_t_compat;
#else
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
typedef int sock_t;
#define SOCK_INVALID (-1)
#define sock_close close
#define sock_errno() errno
#define SOCK_EAGAIN EAGAIN
#define SOCK_EINTR EINTR
#define SOCK_EADDRINUSE EADDRINUSE
#endif

/* Monotonic time in nanoseconds. */
uint64_t mono_ns(void);
/* Sleeps until the monotonic instant `deadline` (absolute, so wake-up errors do not accumulate). */
void sleep_until_ns(uint64_t deadline);
/* Makes a socket non-blocking; 0 on success. */
int sock_nonblocking(sock_t s);

#endif
