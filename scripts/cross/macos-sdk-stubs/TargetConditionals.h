/* Just enough of the macOS SDK for `ring`'s C to compile while type-checking for macOS
 * on Linux (scripts/cross.sh macos): nothing compiled against it is ever linked. */
#pragma once
#define TARGET_OS_MAC 1
#define TARGET_OS_OSX 1
#define TARGET_OS_IPHONE 0
#define TARGET_OS_IOS 0
#define TARGET_OS_TV 0
#define TARGET_OS_WATCH 0
#define TARGET_OS_SIMULATOR 0
