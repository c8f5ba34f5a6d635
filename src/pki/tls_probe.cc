#include "pki/tls_probe.h"
