// test_pty_unique_fd.cpp — the one owned-descriptor type closes exactly what
// it owns: on scope exit, on reset, on move-assignment; never after release.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include <gtest/gtest.h>

#include "pty/unique_fd.h"

using amux::pty::UniqueFd;

namespace {

bool is_open(int fd) { return fcntl(fd, F_GETFD) != -1 || errno != EBADF; }

int open_null() {
  int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  EXPECT_GE(fd, 0);
  return fd;
}

}  // namespace

TEST(UniqueFd, ClosesOnScopeExit) {
  int raw = open_null();
  {
    UniqueFd fd(raw);
    EXPECT_TRUE(fd.valid());
    EXPECT_EQ(fd.get(), raw);
    EXPECT_TRUE(is_open(raw));
  }
  EXPECT_FALSE(is_open(raw));
}

TEST(UniqueFd, ReleaseGivesUpOwnership) {
  int raw = open_null();
  {
    UniqueFd fd(raw);
    EXPECT_EQ(fd.release(), raw);
    EXPECT_FALSE(fd);
  }
  EXPECT_TRUE(is_open(raw));
  ::close(raw);
}

TEST(UniqueFd, ResetClosesTheOldOne) {
  int a = open_null(), b = open_null();
  UniqueFd fd(a);
  fd.reset(b);
  EXPECT_FALSE(is_open(a));
  EXPECT_EQ(fd.get(), b);
  fd.reset();
  EXPECT_FALSE(is_open(b));
  EXPECT_EQ(fd.get(), -1);
}

TEST(UniqueFd, MoveTransfersAndAssignmentClosesTheTarget) {
  int a = open_null(), b = open_null();
  UniqueFd x(a);
  UniqueFd y(std::move(x));
  EXPECT_EQ(x.get(), -1);
  EXPECT_EQ(y.get(), a);
  UniqueFd z(b);
  z = std::move(y);
  EXPECT_FALSE(is_open(b));
  EXPECT_EQ(z.get(), a);
  EXPECT_TRUE(is_open(a));
}

TEST(UniqueFd, CloseReportsAndEmpties) {
  int raw = open_null();
  UniqueFd fd(raw);
  EXPECT_EQ(fd.close(), 0);
  EXPECT_FALSE(fd);
  EXPECT_FALSE(is_open(raw));
  EXPECT_EQ(fd.close(), 0);  // nothing held
}
