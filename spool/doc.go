// Package spool is a durable offline queue for gateways: data points wait in one file
// on the gateway's disk until TagoIO has stored them, through outages, rate limits,
// restarts and power cuts, and reach the platform exactly once.
//
//	sp, err := spool.Open("/var/lib/gateway/spool.db", &spool.Options{Logger: logger})
//	...
//	defer sp.Close()
//	go sp.Run(ctx, spool.Routes(map[string]*tago.DataService{"greenhouse": device.Data}))
//	...
//	err = sp.Enqueue(ctx, "greenhouse", tago.Data{Variable: "temperature", Value: 21.5})
//
// A target names where points go. Run asks a [Route] for each target's
// [tago.DataService]: client.Data for a client holding the device's token, or
// account.Devices.Data(id) for a device under an account token. Target names are
// stored and logged in clear, so they are names (a device ID, a serial), never tokens.
//
// # Guarantees
//
// Durable: when Enqueue returns nil its points are committed to the file and synced to
// disk (bbolt: copy-on-write pages, then the meta page, each followed by fdatasync), so
// a crash, a SIGKILL or a power cut after it returns loses none of them. Concurrent
// calls share commits (group commit), so durability does not cost one sync per point.
// Enqueue checks points exactly as [tago.DataService.Send] does and refuses a bad one
// before storing anything.
//
// Ordered: the points of one target are sent in the order Enqueue stored them, one
// request at a time; a request is sent only after the one before it was accepted.
// Targets are independent: one that fails does not hold the others back.
//
// Nothing lost: a point leaves the file only when the platform confirmed storing it,
// when a look on the platform found it stored, or by an explicit policy: DropOldest at
// a bound (counted in Stats.Dropped), or the platform refusing it for good (HTTP 400
// for that point alone; handed to Options.OnReject and counted in Stats.Rejected).
//
// Nothing twice: each batch is recorded in the file, with the group it is sent under,
// before it is sent. When a send fails in a way that leaves open whether the platform
// stored it ([tago.MayBeStored]: a timeout or lost connection after the request was
// written, a 5xx, an answer cut short), and for every recorded batch found at Open
// (the process died while it was in flight), the spool looks on the platform before
// sending again: it counts the device's records of the batch's groups (GET /data with
// query=count, groups and the batch's time range) and, when that does not settle it,
// reads them and matches each point by group, variable and time. Points found are
// removed as delivered; only the missing ones are sent again, in a new batch.
//
// Groups: a point without Group (or Serie) is sent with the batch's group, "sp" + the
// file's ID + "-" + the batch number, unique to that batch. A point's own Group is
// kept and sent as it is; such a point is identified by its group, variable and time.
// The rule that keeps delivery exactly once: no two points of one target share
// group, variable and time (to the millisecond), and no other writer stores records of
// the same group, variable and time on the device. Points without a group always
// satisfy it; give your own groups only when they identify a reading (such as a
// LoRaWAN uplink's DevEUI and frame counter).
//
// What it relies on: the file system honouring fdatasync (a disk or controller that
// acknowledges writes it only cached can lose the last commits in a power cut); the
// platform storing a request's points all or nothing; the target's token being able to
// read its data (for the look after an ambiguous failure: a device token with read
// permission, or an account token); the device keeping the records for the look to
// find (a look after data retention removed them would resend them); and one process
// at a time using the file (enforced with a lock).
//
// # Bounds
//
// Options.MaxPoints (default 1,000,000) and Options.MaxBytes bound what the file
// holds. At a bound, [RefuseNew] (the default) fails Enqueue with a [*FullError];
// [DropOldest] drops the oldest queued points, never one in a batch being sent.
// Stats counts refused and dropped points.
//
// # Faults
//
// A full disk fails Enqueue with [ErrDiskFull]: the commit is abandoned, nothing of it
// is stored, and the file stays as it was. Open checks the whole file (bbolt's page
// check and every record's CRC-32C; Options.SkipCheck skips it) and refuses a damaged
// one with a [*DamageError]; [Salvage] then copies every readable point into a new file,
// keeping batches in doubt so that they are still looked up. A file written by a
// newer version of the package is refused with a [*VersionError] and not modified.
//
// # Memory
//
// [Spool.Memory] keeps, in the same file, a durable record of keys for whatever feeds
// the spool and must recognize a message it was handed before (the Actility bridge:
// ThingPark delivers an uplink until it gets an answer). [Memory.EnqueueOnce] stores a
// message's points and records its key in one commit, so that a redelivery is stored
// exactly once, even across a crash.
//
// # Logging
//
// Options.Logger receives a line per state change: opened, send failed (and when it is
// retried), rate limited, looked up, points dropped, rejected or damaged, disk full.
// Errors in them come from the SDK, which redacts tokens; no line holds a token.
//
// # Scale-out
//
// The package spool/jetspool offers the same [Queue] over NATS JetStream, so that many
// replicas share one durable stream and any of them can deliver it.
package spool
