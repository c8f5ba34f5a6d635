// The one doctest main of certgate_unit; every *_test.cc links into it.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
