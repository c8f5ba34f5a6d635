// certgate verify [SITE]: TODO(#4) (being written).
#include "cli/commands.h"
