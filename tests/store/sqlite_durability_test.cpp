// Which commits of the SQLite store reach the disk: send-log batches are
// allowed to skip the fsync, everything after them must not. The store's
// connections are private, so the test watches the file system instead:
// a VFS wrapped around SQLite's default one counts every xSync.
#include <atomic>
#include <chrono>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "store/sqlite/sqlite_store.h"
#include "tests/store/store_test_support.h"

namespace fbl::store {
namespace {

using fbl::testing::entry_for;
using fbl::testing::open_sqlite;
using fbl::testing::TempDir;

std::atomic<int> syncs{0};
sqlite3_vfs* real_vfs = nullptr;

// Our sqlite3_file, with the real one right behind it in the same block.
struct CountingFile {
    sqlite3_file base;
    sqlite3_file* real;
};

sqlite3_file* real_of(sqlite3_file* file) {
    return reinterpret_cast<CountingFile*>(file)->real;
}

int count_sync(sqlite3_file* file, int flags) {
    ++syncs;
    return real_of(file)->pMethods->xSync(real_of(file), flags);
}

// Every other method goes straight to the real file.
const sqlite3_io_methods counting_methods = {
    3,
    [](sqlite3_file* f) { return real_of(f)->pMethods->xClose(real_of(f)); },
    [](sqlite3_file* f, void* buffer, int amount, sqlite3_int64 offset) {
        return real_of(f)->pMethods->xRead(real_of(f), buffer, amount, offset);
    },
    [](sqlite3_file* f, const void* buffer, int amount, sqlite3_int64 offset) {
        return real_of(f)->pMethods->xWrite(real_of(f), buffer, amount, offset);
    },
    [](sqlite3_file* f, sqlite3_int64 size) {
        return real_of(f)->pMethods->xTruncate(real_of(f), size);
    },
    count_sync,
    [](sqlite3_file* f, sqlite3_int64* size) {
        return real_of(f)->pMethods->xFileSize(real_of(f), size);
    },
    [](sqlite3_file* f, int level) { return real_of(f)->pMethods->xLock(real_of(f), level); },
    [](sqlite3_file* f, int level) { return real_of(f)->pMethods->xUnlock(real_of(f), level); },
    [](sqlite3_file* f, int* reserved) {
        return real_of(f)->pMethods->xCheckReservedLock(real_of(f), reserved);
    },
    [](sqlite3_file* f, int operation, void* argument) {
        return real_of(f)->pMethods->xFileControl(real_of(f), operation, argument);
    },
    [](sqlite3_file* f) { return real_of(f)->pMethods->xSectorSize(real_of(f)); },
    [](sqlite3_file* f) { return real_of(f)->pMethods->xDeviceCharacteristics(real_of(f)); },
    [](sqlite3_file* f, int page, int page_size, int extend, void volatile** mapped) {
        return real_of(f)->pMethods->xShmMap(real_of(f), page, page_size, extend, mapped);
    },
    [](sqlite3_file* f, int offset, int count, int flags) {
        return real_of(f)->pMethods->xShmLock(real_of(f), offset, count, flags);
    },
    [](sqlite3_file* f) { real_of(f)->pMethods->xShmBarrier(real_of(f)); },
    [](sqlite3_file* f, int delete_flag) {
        return real_of(f)->pMethods->xShmUnmap(real_of(f), delete_flag);
    },
    [](sqlite3_file* f, sqlite3_int64 offset, int amount, void** pages) {
        return real_of(f)->pMethods->xFetch(real_of(f), offset, amount, pages);
    },
    [](sqlite3_file* f, sqlite3_int64 offset, void* pages) {
        return real_of(f)->pMethods->xUnfetch(real_of(f), offset, pages);
    },
};

int open_counting(sqlite3_vfs*, const char* name, sqlite3_file* file, int flags, int* out_flags) {
    auto* counting = reinterpret_cast<CountingFile*>(file);
    counting->real = reinterpret_cast<sqlite3_file*>(counting + 1);
    int status = real_vfs->xOpen(real_vfs, name, counting->real, flags, out_flags);
    // SQLite closes a file only when its methods are set.
    counting->base.pMethods = counting->real->pMethods ? &counting_methods : nullptr;
    return status;
}

// Makes the counting VFS SQLite's default for the life of the object.
class CountingVfs {
  public:
    CountingVfs() {
        real_vfs = sqlite3_vfs_find(nullptr);
        vfs_ = *real_vfs;
        vfs_.szOsFile = static_cast<int>(sizeof(CountingFile)) + real_vfs->szOsFile;
        vfs_.zName = "fbl-counting";
        vfs_.xOpen = open_counting;
        vfs_.pNext = nullptr;
        sqlite3_vfs_register(&vfs_, 1);
    }
    ~CountingVfs() {
        sqlite3_vfs_register(real_vfs, 1);
        sqlite3_vfs_unregister(&vfs_);
    }

  private:
    sqlite3_vfs vfs_{};
};

std::vector<SendRecord> send_batch(int size) {
    std::vector<SendRecord> batch;
    for (int i = 0; i < size; ++i) {
        batch.push_back({"m" + std::to_string(i) + "@news.example", "r@x.example", "r@x.example",
                         "mailing-1", std::chrono::system_clock::now()});
    }
    return batch;
}

TEST(SqliteDurability, OnlySendLogBatchesSkipTheSync) {
    CountingVfs vfs;
    TempDir dir;
    auto store = open_sqlite(dir.file("store.db"));

    syncs = 0;
    store->add(entry_for("before@example.com"));
    EXPECT_GT(syncs.load(), 0) << "a suppression's commit must reach the disk";

    syncs = 0;
    store->record_sends(send_batch(20));
    EXPECT_EQ(syncs.load(), 0) << "a send-log batch commits without an fsync";

    syncs = 0;
    store->add(entry_for("after@example.com"));
    EXPECT_GT(syncs.load(), 0) << "the writer went back to synchronous = FULL";
}

}  // namespace
}  // namespace fbl::store
