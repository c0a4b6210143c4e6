package simulator

import (
	"fmt"
	"os"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// openRawPTY opens a pseudo-terminal pair and puts the terminal side in raw
// mode, so CR, LF, STX, ETX and every other byte written to the master reach
// a reader of the slave unaltered, even before the reader sets its own
// termios (tarm/serial does, but bytes can arrive before it opens the port).
func openRawPTY() (master, slave *os.File, err error) {
	master, slave, err = pty.Open()
	if err != nil {
		return nil, nil, fmt.Errorf("open pty: %w", err)
	}
	if err := makeRaw(int(slave.Fd())); err != nil {
		master.Close()
		slave.Close()
		return nil, nil, fmt.Errorf("raw mode on %s: %w", slave.Name(), err)
	}
	pollable, err := nonblocking(master)
	if err != nil {
		slave.Close()
		return nil, nil, err
	}
	return pollable, slave, nil
}

// nonblocking replaces f by a non-blocking duplicate that Go's poller
// manages. pty.Open calls Fd(), which leaves the master in blocking mode: a
// read then sits in a system call that Close cannot interrupt, and write
// deadlines do not apply. f is closed.
func nonblocking(f *os.File) (*os.File, error) {
	defer f.Close()
	fd, err := unix.Dup(int(f.Fd()))
	if err != nil {
		return nil, fmt.Errorf("dup pty master: %w", err)
	}
	unix.CloseOnExec(fd)
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("pty master non-blocking: %w", err)
	}
	return os.NewFile(uintptr(fd), f.Name()), nil
}

// makeRaw is cfmakeraw(3): no input or output translation, no echo, no
// signals, 8-bit characters.
func makeRaw(fd int) error {
	t, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return fmt.Errorf("get termios: %w", err)
	}
	t.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
	t.Oflag &^= unix.OPOST
	t.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
	t.Cflag &^= unix.CSIZE | unix.PARENB
	t.Cflag |= unix.CS8
	t.Cc[unix.VMIN] = 1
	t.Cc[unix.VTIME] = 0
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, t); err != nil {
		return fmt.Errorf("set termios: %w", err)
	}
	return nil
}
