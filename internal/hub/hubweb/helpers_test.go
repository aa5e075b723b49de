package hubweb

import "context"

var ctx = context.Background()
