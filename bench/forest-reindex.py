"""Rebuild every index of a stopped lab through Samba's own stack, with an index cache sized for it.

    /usr/bin/python3 bench/forest-reindex.py <sam.ldb> <smb.conf> <index cache entries>

Why (bench/forest-data.ts, BENCHMARKS.md): during a transaction ldb keeps the index records it
builds in an in-memory TDB whose hash table has `transaction_index_cache_size` buckets (491 unless
told). A reindex of 200 000 accounts makes millions of index records, so with the default every
lookup walks chains thousands long and the reindex grows with the square of the directory. Samba
sizes the cache itself only in `domain join` and in batch-mode provisioning; ldbadd/ldbmodify and
`samba-tool dbcheck --reindex` cannot be told. Going through SamDB (not the raw partition file)
also keys DN-valued attributes such as objectCategory the way the running DC does.

The reindex is triggered the way dbcheck does it: a change to @ATTRIBUTES, which Samba's
partition module replays on every partition; each partition then rebuilds all its indexes from its
own @INDEXLIST (restored by the caller before this runs).
"""
import sys
import time

import ldb
from samba.auth import system_session
from samba.param import LoadParm
from samba.samdb import SamDB

sam_ldb, smb_conf, cache = sys.argv[1], sys.argv[2], int(sys.argv[3])
lp = LoadParm()
lp.load(smb_conf)
t0 = time.time()
samdb = SamDB(url=sam_ldb, session_info=system_session(), lp=lp,
              options=["transaction_index_cache_size:%d" % cache])
samdb.transaction_start()
try:
    m = ldb.Message()
    m.dn = ldb.Dn(samdb, "@ATTRIBUTES")
    m["add"] = ldb.MessageElement("NONE", ldb.FLAG_MOD_ADD, "force_reindex")
    m["delete"] = ldb.MessageElement("NONE", ldb.FLAG_MOD_DELETE, "force_reindex")
    samdb.modify(m)
except Exception:
    samdb.transaction_cancel()
    raise
samdb.transaction_commit()
print("reindexed through SamDB with an index cache of %d in %.1f s" % (cache, time.time() - t0))
