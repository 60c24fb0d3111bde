# Writes OUT, a C++ source defining `std::string_view redirector::NAME` holding the text of IN:
# how the data files in this folder are built into the binary.
#   cmake -DIN=file.txt -DOUT=file.cc -DNAME=kSomething -P embed.cmake
file(READ "${IN}" text)
string(FIND "${text}" ")redirector_data\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${IN} contains the raw-string delimiter")
endif()
file(WRITE "${OUT}.tmp" "// Generated from ${IN} by embed.cmake: do not edit.\n#include <string_view>\nnamespace redirector {\nextern const std::string_view ${NAME};\nconst std::string_view ${NAME} = R\"redirector_data(${text})redirector_data\";\n}  // namespace redirector\n")
file(RENAME "${OUT}.tmp" "${OUT}")
