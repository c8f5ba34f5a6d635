#include "apply/gate_check.h"

#include <doctest/doctest.h>
