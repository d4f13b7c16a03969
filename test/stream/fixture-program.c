/* The program probed by the stream fixtures (see testdata/stream/README.md). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct S {
  int a;
  unsigned int flags;
  unsigned long long big;
};

__attribute__((noinline)) long target(long a, const char *s, int *arr, struct S *st, int c, const char **pair) {
  __asm__ volatile("" ::: "memory");
  return a + (long)strlen(s) + arr[0] + st->a + c + (long)strlen(pair[0]);
}

__attribute__((noinline)) int rec(int n) {
  __asm__ volatile("" ::: "memory");
  if (n <= 0) return 0;
  return 1 + rec(n - 1);
}

static void pin(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  sched_setaffinity(0, sizeof set, &set);
}

int main(int argc, char **argv) {
  if (argc > 1) {
    /* Overflow mode: many small events on CPU 0 to overrun a tiny buffer. */
    int n = atoi(argv[1]);
    long sum = 0;
    pin(0);
    for (int i = 0; i < n; i++) sum += rec(0);
    return (int)(sum & 1);
  }
  static const char *texts[] = {"hello", "with space", "quote\"inside x=1", "", "tab\tand,comma {b}"};
  char longtext[200];
  memset(longtext, 'L', sizeof longtext - 1);
  longtext[sizeof longtext - 1] = 0;
  long total = 0;
  int ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN);
  for (int i = 0; i < 8; i++) {
    if (ncpu > 1) pin(i % 2);
    int arr[3] = {i, -i, 1000000 + i};
    struct S st = {i * 3, 0xA5u | ((unsigned)i << 2), 0xfedcba9876543210ull + (unsigned)i};
    const char *s = i == 6 ? longtext : texts[i % 5];
    const char *pair[2] = {texts[(i + 1) % 5], i % 2 ? "odd" : "even"};
    total += target(i * 7 - 20, s, arr, &st, 'a' + i, pair);
    int fd = openat(AT_FDCWD, "/etc/hostname", O_RDONLY);
    if (fd >= 0) close(fd);
    if (i == 3) usleep(300000);
  }
  total += rec(3);
  return (int)(total & 1);
}
