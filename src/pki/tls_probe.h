// TODO(#4): TLS client handshakes for `certgate verify` (being written).
#pragma once
