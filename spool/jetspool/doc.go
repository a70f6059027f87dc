package jetspool
