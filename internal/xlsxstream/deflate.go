package xlsxstream

import (
	"bytes"
	"compress/flate"
	"hash/crc32"
	"io"
	"runtime"
	"sync"
)

// parallelDeflate compresses one zip entry on every core: each chunk of
// input is deflated on its own (at the fastest level) and ended with a
// sync flush, which leaves it byte-aligned and not final, so the chunks
// laid end to end in order are one valid deflate stream; close adds the
// final empty block. Back-references never cross a chunk, which costs a
// little size for the speed.
type parallelDeflate struct {
	out    io.Writer
	jobs   chan *deflateJob
	queue  chan *deflateJob // in input order, for the one that writes
	done   chan struct{}
	free   chan []byte // input buffers to reuse
	crc    uint32
	raw    int64
	comp   int64
	errMu  sync.Mutex
	err    error
	closed bool
}

type deflateJob struct {
	in    []byte
	out   bytes.Buffer
	ready chan struct{}
}

// finalBlock is an empty final block (fixed Huffman): what zlib writes to
// finish a stream after a sync flush.
var finalBlock = []byte{0x03, 0x00}

func newParallelDeflate(out io.Writer) *parallelDeflate {
	n := max(runtime.GOMAXPROCS(0), 1)
	d := &parallelDeflate{out: out, jobs: make(chan *deflateJob, n), queue: make(chan *deflateJob, 2*n),
		done: make(chan struct{}), free: make(chan []byte, 4*n)}
	for range n {
		go d.work()
	}
	go d.drain()
	return d
}

func (d *parallelDeflate) work() {
	fw, _ := flate.NewWriter(io.Discard, flate.BestSpeed)
	for j := range d.jobs {
		fw.Reset(&j.out)
		_, err := fw.Write(j.in)
		if err == nil {
			err = fw.Flush()
		}
		d.fail(err)
		close(j.ready)
	}
}

// drain writes the compressed chunks in their order.
func (d *parallelDeflate) drain() {
	defer close(d.done)
	for j := range d.queue {
		<-j.ready
		if d.failed() == nil {
			n, err := d.out.Write(j.out.Bytes())
			d.comp += int64(n)
			d.fail(err)
		}
		select {
		case d.free <- j.in[:0]:
		default:
		}
	}
}

func (d *parallelDeflate) fail(err error) {
	if err == nil {
		return
	}
	d.errMu.Lock()
	if d.err == nil {
		d.err = err
	}
	d.errMu.Unlock()
}

func (d *parallelDeflate) failed() error {
	d.errMu.Lock()
	defer d.errMu.Unlock()
	return d.err
}

// buffer returns an empty input buffer to fill.
func (d *parallelDeflate) buffer() []byte {
	select {
	case b := <-d.free:
		return b
	default:
		return make([]byte, 0, chunkSize+4096)
	}
}

// write queues p for compression; p belongs to the compressor afterwards.
func (d *parallelDeflate) write(p []byte) error {
	if err := d.failed(); err != nil {
		return err
	}
	d.crc = crc32.Update(d.crc, crc32.IEEETable, p)
	d.raw += int64(len(p))
	j := &deflateJob{in: p, ready: make(chan struct{})}
	d.queue <- j
	d.jobs <- j
	return nil
}

func (d *parallelDeflate) stop() {
	if !d.closed {
		d.closed = true
		close(d.jobs)
		close(d.queue)
		<-d.done
	}
}

// abort stops the workers, after a failure.
func (d *parallelDeflate) abort() { d.stop() }

// close waits for every chunk, ends the stream and returns the input's
// CRC-32 and the sizes in and out.
func (d *parallelDeflate) close() (sum uint32, raw, comp uint64, err error) {
	d.stop()
	if err := d.failed(); err != nil {
		return 0, 0, 0, err
	}
	n, err := d.out.Write(finalBlock)
	d.comp += int64(n)
	return d.crc, uint64(d.raw), uint64(d.comp), err
}
