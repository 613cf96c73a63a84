# SPDX-License-Identifier: Apache-2.0
# Warning and sanitizer flags shared by every target.
set(PC_WARNINGS -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes
    -Wmissing-prototypes -Wno-unused-parameter -Wvla -Wpointer-arith)
add_compile_options(${PC_WARNINGS})
add_compile_definitions(_GNU_SOURCE)
if(PC_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
