package latency

import (
	"bufio"
	"io"
	"strconv"
	"strings"
)

// WriteCSV writes the latency table in latency.csv's format, latencies in
// the shortest decimal form that reads back to the same float64, so
// ReadCSV(WriteCSV(t)) equals t.
func (t *Table) WriteCSV(w io.Writer) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("index,arch")
	for _, d := range t.devices {
		bw.WriteByte(',')
		bw.WriteString(d)
	}
	bw.WriteByte('\n')
	var buf []byte
	for row, arch := range t.archs {
		buf = strconv.AppendInt(buf[:0], int64(t.index[row]), 10)
		buf = append(buf, ',')
		if strings.Contains(arch, ",") {
			// OFA strings: quoted as encoding/csv reads them (no
			// architecture holds a quote, see checkArch).
			buf = append(append(append(buf, '"'), arch...), '"')
		} else {
			buf = append(buf, arch...)
		}
		for d := range t.devices {
			buf = append(buf, ',')
			buf = strconv.AppendFloat(buf, t.latency[d][row], 'g', -1, 64)
		}
		buf = append(buf, '\n')
		bw.Write(buf)
	}
	return bw.Flush()
}
