/** Lines captured from `conntrack -E -o timestamp,id` in a test node netns (kernel 6.18, conntrack 1.4.7). */
export const CAPTURED = {
  tcpNew:
    '[1796623096.406892]\t    [NEW] tcp      6 120 SYN_SENT src=10.244.200.2 dst=10.96.0.10 sport=42662 dport=80 [UNREPLIED] src=10.244.200.3 dst=10.244.200.2 sport=8080 dport=42662 id=2846029145',
  tcpEstablished:
    '[1796623096.408707]\t [UPDATE] tcp      6 432000 ESTABLISHED src=10.244.200.2 dst=10.96.0.10 sport=42662 dport=80 src=10.244.200.3 dst=10.244.200.2 sport=8080 dport=42662 [ASSURED] id=2846029145',
  tcpTimeWait:
    '[1796623096.409963]\t [UPDATE] tcp      6 120 TIME_WAIT src=10.244.200.2 dst=10.96.0.10 sport=42662 dport=80 src=10.244.200.3 dst=10.244.200.2 sport=8080 dport=42662 [ASSURED] id=2846029145',
  /** An endpoint with nothing listening: SYN answered by RST. */
  refusedNew:
    '[1796623096.415168]\t    [NEW] tcp      6 120 SYN_SENT src=10.244.200.2 dst=10.96.0.12 sport=57812 dport=80 [UNREPLIED] src=10.244.200.4 dst=10.244.200.2 sport=8080 dport=57812 id=2424568202',
  refusedDestroy:
    '[1796623096.415181]\t[DESTROY] tcp      6 120 CLOSE src=10.244.200.2 dst=10.96.0.12 sport=57812 dport=80 packets=1 bytes=60 [UNREPLIED] src=10.244.200.4 dst=10.244.200.2 sport=8080 dport=57812 packets=1 bytes=40 delta-time=0 id=2424568202',
  udpNew:
    '[1796623096.413176]\t    [NEW] udp      17 30 src=10.244.200.2 dst=10.96.0.11 sport=54763 dport=53 [UNREPLIED] src=10.244.200.3 dst=10.244.200.2 sport=8080 dport=54763 id=3183473598',
  udpUpdate:
    '[1796623096.413796]\t [UPDATE] udp      17 30 src=10.244.200.2 dst=10.96.0.11 sport=54763 dport=53 src=10.244.200.3 dst=10.244.200.2 sport=8080 dport=54763 id=3183473598',
  /** Deleted by the proxier's conntrack cleanup after the endpoint was removed. */
  udpDestroy:
    '[1796623096.444676]\t[DESTROY] udp      17 29 src=10.244.200.2 dst=10.96.0.11 sport=54763 dport=53 packets=2 bytes=64 src=10.244.200.3 dst=10.244.200.2 sport=8080 dport=54763 packets=2 bytes=84 delta-time=0 id=3183473598 [USERSPACE] portid=2203076844',
  /** A ClusterIP nothing DNATs (unallocated): answered by the node itself. */
  unallocatedNew:
    '[1796623075.166142]\t    [NEW] tcp      6 120 SYN_SENT src=10.244.217.2 dst=10.96.0.99 sport=44128 dport=80 [UNREPLIED] src=10.96.0.99 dst=10.244.217.2 sport=80 dport=44128 id=260372622',
  unallocatedDestroy:
    '[1796623075.166190]\t[DESTROY] tcp      6 120 CLOSE src=10.244.217.2 dst=10.96.0.99 sport=44128 dport=80 packets=1 bytes=60 [UNREPLIED] src=10.96.0.99 dst=10.244.217.2 sport=80 dport=44128 packets=1 bytes=40 delta-time=0 id=260372622',
  extendedEstablished:
    '[1796623075.129234]\t [UPDATE] ipv4     2 tcp      6 432000 ESTABLISHED src=10.244.217.2 dst=10.96.0.10 sport=36706 dport=80 src=10.244.217.4 dst=10.244.217.2 sport=8080 dport=36706 [ASSURED] id=3496808215',
  /** A flow the event mask follows one in eight (conntrack mark 0x83000000), on lo. */
  sampledNew:
    '[1796655389.127884]\t    [NEW] tcp      6 120 SYN_SENT src=127.0.0.1 dst=127.0.0.1 sport=40578 dport=8080 [UNREPLIED] src=127.0.0.1 dst=127.0.0.1 sport=8080 dport=40578 mark=2197815296 id=3534584295',
  /** Not a ClusterIP flow (IGMP on the pod bridge). */
  igmpNew:
    '[1796623054.957665]\t    [NEW] unknown  2 600 src=10.244.210.1 dst=224.0.0.22 [UNREPLIED] src=224.0.0.22 dst=10.244.210.1 id=3839749456',
  /** A line of `conntrack -L -p tcp -o id` (a TIME_WAIT entry on lo, with nf_conntrack_acct=1). */
  listedTimeWait:
    'tcp      6 119 TIME_WAIT src=127.0.0.1 dst=127.0.0.1 sport=37712 dport=8080 packets=4 bytes=216 src=127.0.0.1 dst=127.0.0.1 sport=8080 dport=37712 packets=4 bytes=218 [ASSURED] mark=0 use=1 id=1100728056',
};
