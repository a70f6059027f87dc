package spool

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"slices"

	bolt "go.etcd.io/bbolt"
)

// SalvageReport says what [Salvage] recovered from a damaged file.
type SalvageReport struct {
	// Targets, Points and Batches count what was copied to the new file.
	Targets, Points, Batches int
	// Lost counts points that could not be read (damaged records); LostTargets names
	// targets whose queue could not be read to its end.
	Lost        int
	LostTargets []string
}

// Salvage copies everything readable from the damaged spool file src into a new spool
// file dst, which must not exist, and reports what it copied and what it lost. It is
// the recovery for a file Open refuses with a [*DamageError]:
//
//	rep, err := spool.Salvage("/var/lib/gw/spool.db", "/var/lib/gw/spool.db.salvaged")
//	// check rep.Lost, move spool.db aside (keep it for inspection), rename the
//	// salvaged file to spool.db, and Open it.
//
// Points keep their order, their targets and their place in the batches that were
// being sent, and the file keeps its identity, so that batches whose outcome is
// unknown are still looked up on the platform before being sent again: salvaging does
// not weaken exactly-once delivery for the points it recovers. A file whose bbolt
// structure is beyond reading (both meta pages damaged) cannot be salvaged; Salvage
// then returns the error and the points in it are lost.
func Salvage(src, dst string) (SalvageReport, error) {
	var rep SalvageReport
	if _, err := os.Stat(dst); err == nil {
		return rep, fmt.Errorf("spool: salvage: %s exists; give a new path", dst)
	}
	in, err := openBolt(src, 0, true)
	if err != nil {
		return rep, fmt.Errorf("spool: salvage: %w", err)
	}
	defer in.Close()
	out, err := bolt.Open(dst, 0o600, &bolt.Options{FreelistType: bolt.FreelistMapType})
	if err != nil {
		return rep, fmt.Errorf("spool: salvage: %w", err)
	}
	defer out.Close()

	err = in.View(func(itx *bolt.Tx) error {
		return out.Update(func(otx *bolt.Tx) error {
			return salvageTx(itx, otx, &rep)
		})
	})
	if err != nil {
		return rep, fmt.Errorf("spool: salvage: %w", err)
	}
	return rep, out.Sync()
}

// salvageTx copies the readable part of itx into otx.
func salvageTx(itx, otx *bolt.Tx, rep *SalvageReport) error {
	meta, err := otx.CreateBucket(bucketMeta)
	if err != nil {
		return err
	}
	id, batchSeq := make([]byte, 8), uint64(0)
	readMeta := func() (err error) {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("%v", p)
			}
		}()
		m := itx.Bucket(bucketMeta)
		if m == nil {
			return errors.New("no meta bucket: not a spool file")
		}
		if err := checkFormat("", m); err != nil && errors.Is(err, ErrNewerVersion) {
			return err
		}
		if v := m.Get(keyID); len(v) == 8 {
			copy(id, v)
		}
		batchSeq = m.Sequence()
		return nil
	}
	if err := readMeta(); err != nil {
		return err
	}
	if err := meta.Put(keyFormat, []byte{0, 0, 0, formatVersion}); err != nil {
		return err
	}
	if err := meta.Put(keyID, id); err != nil {
		return err
	}
	if err := salvageMemory(itx, otx); err != nil {
		return err
	}
	otb, err := otx.CreateBucket(bucketTargets)
	if err != nil {
		return err
	}
	oq, err := otx.CreateBucket(bucketQueue)
	if err != nil {
		return err
	}
	ob, err := otx.CreateBucket(bucketBatches)
	if err != nil {
		return err
	}
	// What is readable, each part on its own: damage to one bucket's pages stops the
	// reading of that bucket only.
	names := map[uint32]string{}
	var tseq uint64
	readTargets := func() {
		defer func() { _ = recover() }()
		tb := itx.Bucket(bucketTargets)
		if tb == nil {
			return
		}
		tseq = tb.Sequence()
		_ = tb.ForEach(func(k, v []byte) error {
			if len(v) == tidLen {
				names[binary.BigEndian.Uint32(v)] = string(k)
			}
			return nil
		})
	}
	readTargets()
	pts := map[uint32][]salvaged{}
	var qseq uint64
	complete := true
	func() {
		defer func() {
			if p := recover(); p != nil {
				complete = false
			}
		}()
		q := itx.Bucket(bucketQueue)
		if q == nil {
			return
		}
		qseq = q.Sequence()
		c := q.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			tid, seq, ok := splitKey(k)
			if _, _, err := checkPoint(v); !ok || err != nil || names[tid] == "" {
				rep.Lost++
				continue
			}
			pts[tid] = append(pts[tid], salvaged{key: seq, rec: append([]byte(nil), v...)})
		}
	}()
	batches := map[uint32][]batchRec{}
	func() {
		defer func() { _ = recover() }()
		bb := itx.Bucket(bucketBatches)
		if bb == nil {
			return
		}
		_ = bb.ForEach(func(k, v []byte) error {
			if tid, seq, ok := splitKey(k); ok {
				if b, err := decodeBatch(seq, v); err == nil {
					batches[tid] = append(batches[tid], b)
				}
			}
			return nil
		})
	}()
	if err := otb.SetSequence(tseq); err != nil {
		return err
	}
	if err := oq.SetSequence(qseq); err != nil {
		return err
	}
	for tid, name := range names {
		if !complete {
			rep.LostTargets = append(rep.LostTargets, name)
		}
		tp := pts[tid]
		if len(tp) == 0 {
			continue
		}
		if err := otb.Put([]byte(name), binary.BigEndian.AppendUint32(nil, tid)); err != nil {
			return err
		}
		q, b := view{oq, tid}, view{ob, tid}
		for _, p := range tp {
			if err := q.put(p.key, p.rec); err != nil {
				return err
			}
		}
		for _, br := range batches[tid] {
			// Keep the batch (its group) over the points that survived in its range.
			n := 0
			for _, p := range tp {
				if p.key >= br.first && p.key <= br.last {
					n++
				}
			}
			if n == 0 {
				continue
			}
			br.n = n
			batchSeq = max(batchSeq, br.seq)
			if err := b.put(br.seq, encodeBatch(br)); err != nil {
				return err
			}
			rep.Batches++
		}
		rep.Targets++
		rep.Points += len(tp)
	}
	slices.Sort(rep.LostTargets)
	return meta.SetSequence(batchSeq)
}

// salvaged is one readable point record.
type salvaged struct {
	key uint64
	rec []byte
}

// salvageMemory copies the readable records of every Memory.
func salvageMemory(itx, otx *bolt.Tx) error {
	var scopes [][]byte
	var recs [][3][]byte // scope, sub-bucket, key|value...
	func() {
		defer func() { _ = recover() }()
		mb := itx.Bucket(bucketMemory)
		if mb == nil {
			return
		}
		_ = mb.ForEachBucket(func(scope []byte) error {
			scope = append([]byte(nil), scope...)
			scopes = append(scopes, scope)
			b := mb.Bucket(scope)
			for _, sub := range [][]byte{bucketMemKeys, bucketMemOrder} {
				if sb := b.Bucket(sub); sb != nil {
					_ = sb.ForEach(func(k, v []byte) error {
						recs = append(recs, [3][]byte{scope, sub, append(append([]byte{byte(len(k))}, k...), v...)})
						return nil
					})
				}
			}
			return nil
		})
	}()
	if len(scopes) == 0 {
		return nil
	}
	mb, err := otx.CreateBucket(bucketMemory)
	if err != nil {
		return err
	}
	counts := map[string]uint64{}
	for _, scope := range scopes {
		b, err := mb.CreateBucket(scope)
		if err != nil {
			return err
		}
		for _, sub := range [][]byte{bucketMemKeys, bucketMemOrder} {
			if _, err := b.CreateBucket(sub); err != nil {
				return err
			}
		}
	}
	for _, r := range recs {
		kv := r[2]
		k, v := kv[1:1+int(kv[0])], kv[1+int(kv[0]):]
		if err := mb.Bucket(r[0]).Bucket(r[1]).Put(k, v); err != nil {
			return err
		}
		if string(r[1]) == string(bucketMemKeys) {
			counts[string(r[0])]++
		}
	}
	for scope, n := range counts {
		if err := mb.Bucket([]byte(scope)).Put(keyMemCount, binary.BigEndian.AppendUint64(nil, n)); err != nil {
			return err
		}
	}
	return nil
}
