/* Test scaffolding only, never shipped: Go >= 1.24 programs call
 * ProcessPrng from bcryptprimitives.dll, which Debian 12's Wine 8.0 lacks.
 * This DLL gives it, on top of BCryptGenRandom; the Wine tests copy it into
 * their own throwaway WINEPREFIX. */
#include <windows.h>
#include <bcrypt.h>

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
	while (len > 0) {
		ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
		if (BCryptGenRandom(NULL, data, n, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0)
			return FALSE;
		data += n;
		len -= n;
	}
	return TRUE;
}
