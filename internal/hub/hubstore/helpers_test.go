package hubstore_test

import "context"

var ctx = context.Background()
