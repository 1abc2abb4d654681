/* ProcessPrng, which Rust's standard library (1.78 and later) imports from
 * bcryptprimitives.dll on Windows 10 and later. Wine 8 has no such DLL, so a Windows
 * build dies at start under it; this one, placed beside the .exe under test, answers
 * through BCryptGenRandom. Only for running tests under Wine: never shipped. */
#include <windows.h>
#include <bcrypt.h>

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
  return BCryptGenRandom(NULL, data, (ULONG)len, BCRYPT_USE_SYSTEM_PREFERRED_RNG) == 0;
}
