package target

import "bytes"

// Slots is the number of Redis Cluster hash slots.
const Slots = 16384

// Slot is Redis Cluster's hash slot of key: CRC16 of the key, or of its
// hash tag (the part between the first { and the next }, when not empty).
func Slot(key []byte) int {
	if i := bytes.IndexByte(key, '{'); i >= 0 {
		if j := bytes.IndexByte(key[i+1:], '}'); j > 0 {
			key = key[i+1 : i+1+j]
		}
	}
	return int(crc16(key) % Slots)
}

// crc16 is CRC-16/XMODEM, the checksum Redis Cluster hashes keys with.
// go-redis has it only in an internal package.
func crc16(b []byte) uint16 {
	var crc uint16
	for _, x := range b {
		crc ^= uint16(x) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}
