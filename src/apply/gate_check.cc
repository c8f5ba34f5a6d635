#include "apply/gate_check.h"
