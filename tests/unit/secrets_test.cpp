// Random bytes and the tokens made of them: each thread hands out blocks drawn from OpenSSL's
// generator, every byte once, and a forked process never hands out what its parent will.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <set>
#include <string>

#include "app/secrets.hpp"

namespace convene::app {
namespace {

TEST(RandomBytes, EveryDrawIsItsOwnAcrossBlockBoundaries) {
  std::set<std::string> seen;
  std::size_t drawn = 0;
  for (int i = 0; i < 2000; ++i) {
    const std::size_t count = 1 + static_cast<std::size_t>(i % 97);  // sizes that straddle the blocks
    const std::string bytes = random_bytes(count);
    ASSERT_EQ(bytes.size(), count);
    drawn += count;
    if (count >= 16) {
      EXPECT_TRUE(seen.insert(bytes).second) << "a draw of " << count << " bytes came twice";
    }
  }
  EXPECT_GT(drawn, 50u * 1024u);  // many blocks were drawn
  // Nothing handed out is the zeros a spent block is wiped to.
  EXPECT_NE(random_bytes(64), std::string(64, '\0'));
}

TEST(RandomBytes, AForkedProcessDrawsItsOwnBlock) {
  random_bytes(24);  // this thread now holds a block, most of it not handed out yet
  int pipe_ends[2];
  ASSERT_EQ(::pipe(pipe_ends), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const std::string bytes = random_bytes(24);
    const bool written = ::write(pipe_ends[1], bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size());
    ::_exit(written ? 0 : 1);
  }
  ::close(pipe_ends[1]);
  std::string childs(24, '\0');
  ASSERT_EQ(::read(pipe_ends[0], childs.data(), childs.size()), 24);
  ::close(pipe_ends[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_NE(random_bytes(24), childs) << "the child handed out the parent's next bytes";
}

TEST(TokenMinter, MintsDistinctTaggedTokensItRecognises) {
  const TokenMinter minter(random_bytes(32));
  std::set<std::string> tokens;
  for (int i = 0; i < 5000; ++i) {
    const SecretToken token = minter.mint();
    ASSERT_EQ(token.text().size(), kSecretTokenLength);
    EXPECT_EQ(minter.origin(token.text()), TokenOrigin::minted_here);
    EXPECT_TRUE(tokens.insert(std::string(token.text())).second);
  }
  const TokenMinter other(random_bytes(32));
  EXPECT_NE(other.origin(minter.mint().text()), TokenOrigin::minted_here);
}

}  // namespace
}  // namespace convene::app
