// Parsers for status, syscall, stack and wchan; syscall tables; ABI checks.
import Testing

#if canImport(Glibc)
  import Glibc
#endif

@testable import ThreadprofCore

@Suite struct ProcFileParserTests {
  @Test func statusFields() {
    let text = """
      Name:\tNSpid: fake\\nname
      Umask:\t0022
      State:\tS (sleeping)
      Tgid:\t4242
      Ngid:\t0
      Pid:\t4250
      PPid:\t1
      TracerPid:\t0
      Uid:\t1000\t1000\t1000\t1000
      NStgid:\t4242\t17
      NSpid:\t4250\t25
      voluntary_ctxt_switches:\t123
      nonvoluntary_ctxt_switches:\t9

      """
    let s = StatusParser.parse(Array(text.utf8))
    #expect(s.tgid == 4242)
    #expect(s.nsPids == [4250, 25])
    #expect(s.uid == 1000)
    #expect(s.voluntarySwitches == 123)
    #expect(s.involuntarySwitches == 9)
    #expect(StatusParser.parse([]).tgid == nil)
  }

  @Test func syscallFile() {
    func parse(_ s: String, _ abi: TargetABI = .x86_64) -> SyscallState? {
      ThreadFiles.syscall(Array(s.utf8), abi: abi)
    }
    #expect(parse("running\n") == .running)
    #expect(parse("-1 0x7ffd 0x401000\n") == SyscallState.none)
    let read = parse("0 0x3 0x7f 0x1 0x0 0x0 0x0 0x7ffd 0x7f12\n")
    #expect(read == .inSyscall(number: 0, name: "read"))
    #expect(parse("202 0x1 0x2\n") == .inSyscall(number: 202, name: "futex"))
    #expect(parse("3 0x1\n", .i386) == .inSyscall(number: 3, name: "read"))
    #expect(parse("999 0x1\n") == .inSyscall(number: 999, name: nil))
    #expect(parse("999 0x1\n")?.label == "syscall_999")
    #expect(parse("") == nil)
  }

  @Test func kernelStackStripsAddressesAndOffsets() {
    let text = """
      [<0>] futex_do_wait+0x46/0x90
      [<0>] __futex_wait+0x8a/0x100
      [<0>] do_syscall_64+0x71/0x290
      [<0>] entry_SYSCALL_64_after_hwframe+0x76/0x7e
      [<ffffffffc0a1b2c3>] nfs_wait_bit_killable+0x10/0x60 [nfs]

      """
    #expect(
      ThreadFiles.kernelStack(Array(text.utf8)) == [
        "futex_do_wait", "__futex_wait", "do_syscall_64", "entry_SYSCALL_64_after_hwframe",
        "nfs_wait_bit_killable",
      ])
    #expect(ThreadFiles.kernelStack([]) == [])
  }

  @Test func wchanZeroIsNoSymbol() {
    func sym(_ s: String) -> String? {
      Array(s.utf8).withUnsafeBytes { ThreadFiles.wchanSymbol($0) }
    }
    #expect(sym("0") == nil)
    #expect(sym("") == nil)
    #expect(sym("pipe_read") == "pipe_read")
    #expect(sym("do_wait\n") == "do_wait")
  }

  @Test func syscallTableSpotChecks() {
    #expect(TargetABI.x86_64.syscallName(0) == "read")
    #expect(TargetABI.x86_64.syscallName(202) == "futex")
    #expect(TargetABI.x86_64.syscallName(230) == "clock_nanosleep")
    #expect(TargetABI.x86_64.syscallName(435) == "clone3")
    #expect(TargetABI.aarch64.syscallName(63) == "read")
    #expect(TargetABI.aarch64.syscallName(98) == "futex")
    #expect(TargetABI.aarch64.syscallName(101) == "nanosleep")
    #expect(TargetABI.i386.syscallName(3) == "read")
    #expect(TargetABI.i386.syscallName(162) == "nanosleep")
    #expect(TargetABI.i386.syscallName(240) == "futex")
    #expect(TargetABI.x86_64.syscallName(-1) == nil)
    #expect(TargetABI.x86_64.syscallName(100_000) == nil)
    #expect(TargetABI.unknown.syscallName(0) == nil)
  }

  @Test func elfHeaderNamesTheABI() {
    func header(_ cls: UInt8, _ machine: UInt16) -> [UInt8] {
      var h = [UInt8](repeating: 0, count: 64)
      h[0] = 0x7f
      h[1] = UInt8(ascii: "E")
      h[2] = UInt8(ascii: "L")
      h[3] = UInt8(ascii: "F")
      h[4] = cls
      h[5] = 1
      h[18] = UInt8(machine & 0xff)
      h[19] = UInt8(machine >> 8)
      return h
    }
    #expect(TargetABI.fromELFHeader(header(2, 62)) == .x86_64)
    #expect(TargetABI.fromELFHeader(header(2, 183)) == .aarch64)
    #expect(TargetABI.fromELFHeader(header(1, 3)) == .i386)
    #expect(TargetABI.fromELFHeader(header(1, 40)) == .arm)
    #expect(TargetABI.fromELFHeader(header(2, 3)) == .unknown)
    #expect(TargetABI.fromELFHeader(Array("#!/bin/sh\n echo hi there".utf8)) == .unknown)
  }

  @Test func auxvWordSize() {
    func words<T: FixedWidthInteger>(_ pairs: [(T, T)]) -> [UInt8] {
      pairs.flatMap { p in
        withUnsafeBytes(of: p.0.littleEndian, Array.init)
          + withUnsafeBytes(of: p.1.littleEndian, Array.init)
      }
    }
    let a64: [(UInt64, UInt64)] = [(33, 0x7fff0000), (3, 0x400040), (4, 56), (5, 13), (0, 0)]
    let a32: [(UInt32, UInt32)] = [(32, 0xf7f00000), (3, 0x8048034), (4, 32), (5, 9), (0, 0)]
    #expect(TargetABI.fromAuxv(words(a64)) == TargetABI.host)
    #expect(TargetABI.fromAuxv(words(a32)) == (TargetABI.host == .aarch64 ? .arm : .i386))
    #expect(TargetABI.fromAuxv([]) == .unknown)
  }
}

@Suite struct HidePidTests {
  static let mountinfo = """
    22 27 0:21 / /proc rw,relatime - proc proc rw
    25 22 0:22 / /proc/sys/fs/binfmt_misc rw,relatime - autofs systemd-1 rw,fd=30
    40 27 0:41 / /mnt/p rw,nosuid - proc proc rw,hidepid=invisible
    41 27 0:42 / /mnt/q rw - proc proc rw,hidepid=2,gid=27
    42 27 0:43 / /mnt/r rw - proc proc rw,hidepid=off
    43 27 0:44 / /mnt/s rw shared:5 - proc proc rw,hidepid=1

    """

  @Test func readsSuperBlockOptionsOfTheMountPoint() {
    func hides(_ path: String) -> Bool {
      HidePid.hides(HidePid.mountOptions(of: path, in: Self.mountinfo))
    }
    #expect(!hides("/proc"))
    #expect(hides("/mnt/p"))
    #expect(hides("/mnt/q"))
    #expect(!hides("/mnt/r"))
    #expect(hides("/mnt/s"))
    #expect(!hides("/mnt/none"))
    #expect(HidePid.mountOptions(of: "/mnt/q", in: Self.mountinfo) == ["rw", "hidepid=2", "gid=27"])
  }

  @Test func noHintOnAPlainProc() {
    // This machine's /proc has no hidepid (checked by the test above's
    // parser on the real mountinfo); as root pid 1 is always visible.
    if !HidePid.hides(HidePid.mountOptions(of: "/proc")) && geteuid() == 0 {
      #expect(HidePid.hint(root: "/proc") == nil)
    }
    let hint = "it may be hidden by the hidepid option of /x; run as root or as the target's user"
    #expect(
      ThreadprofError.noSuchProcess(pid: 7, hint: hint).message
        == "no process with pid 7; " + hint)
  }
}
