package main

// The service's native part: a few lines of C, compiled by cgo into the binary. They stand for
// the vendor library a real service links (a codec, a driver, a checksum in C). Because of
// them the package cannot be built with CGO_ENABLED=0, and the binary is linked against the C
// library the build image has.

/*
#include <gnu/libc-version.h>
#include <stddef.h>
#include <stdint.h>

// Adler-32 (RFC 1950): two running sums modulo the largest prime below 2^16.
static uint32_t shelf_adler32(const unsigned char *p, size_t n) {
	uint32_t a = 1, b = 0;
	for (size_t i = 0; i < n; i++) {
		a = (a + p[i]) % 65521;
		b = (b + a) % 65521;
	}
	return (b << 16) | a;
}
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// Checksum is the Adler-32 of data as 8 hex digits, computed by the C part.
func Checksum(data []byte) string {
	if len(data) == 0 {
		return fmt.Sprintf("%08x", uint32(C.shelf_adler32(nil, 0)))
	}
	sum := C.shelf_adler32((*C.uchar)(unsafe.Pointer(&data[0])), C.size_t(len(data)))
	return fmt.Sprintf("%08x", uint32(sum))
}

// LibcVersion is the version of the C library the binary runs on, as the library says it.
func LibcVersion() string {
	return C.GoString(C.gnu_get_libc_version())
}
