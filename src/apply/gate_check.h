// TODO(#4): the live gate checks shared by `certgate verify` and apply (being written).
#pragma once
