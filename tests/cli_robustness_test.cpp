// The command-line tool on input nobody would type: random bytes in file names, registry
// names, config keys and search-path entries, and an output that cannot be written. Every
// run must end in exit 0 or 1 (never a signal, never an abort), JSON output must parse, and
// text output must hold no control character but the line ends.
#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "plugin_test_support.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct ToolRun {
  int exit_code = -1;  ///< -1 when a signal ended the tool
  std::string out;
  std::string err;
};

enum class Stdout { captured, dev_full, closed, broken_pipe };

// Runs the tool with `args` and the environment `env` (on top of an empty plugin path).
// `leave_directory`: the tool starts in this directory, removed before it runs.
ToolRun run_tool(const std::vector<std::string>& args, const std::vector<std::string>& env = {},
                 Stdout stdout_to = Stdout::captured, const fs::path& leave_directory = {}) {
  std::array<int, 2> out{};
  std::array<int, 2> err{};
  EXPECT_EQ(::pipe(out.data()), 0);
  EXPECT_EQ(::pipe(err.data()), 0);
  if (stdout_to == Stdout::broken_pipe) ::close(out[0]);  // no reader: writes fail with EPIPE
  const pid_t child = ::fork();
  if (child == 0) {
    if (stdout_to == Stdout::dev_full) {
      ::dup2(::open("/dev/full", O_WRONLY), STDOUT_FILENO);
    } else if (stdout_to == Stdout::closed) {
      ::close(STDOUT_FILENO);
    } else {
      ::dup2(out[1], STDOUT_FILENO);
    }
    ::dup2(err[1], STDERR_FILENO);
    std::signal(SIGPIPE, SIG_IGN);  // inherited by the tool: a broken pipe is then a write error
    if (!leave_directory.empty() && (::chdir(leave_directory.c_str()) != 0 || ::rmdir(leave_directory.c_str()) != 0))
      std::_Exit(125);
    std::vector<std::string> words = {SPECULATORS_TEST_TOOL};
    words.insert(words.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& w : words) argv.push_back(w.data());
    argv.push_back(nullptr);
    std::vector<std::string> environment = {"SPECULATORS_PLUGIN_PATH=", "NO_COLOR=1"};
    environment.insert(environment.end(), env.begin(), env.end());
    std::vector<char*> envp;
    for (std::string& e : environment) envp.push_back(e.data());
    envp.push_back(nullptr);
    ::execve(argv[0], argv.data(), envp.data());
    std::_Exit(126);
  }
  ::close(out[1]);
  ::close(err[1]);
  ToolRun run;
  const auto drain = [](int fd, std::string& into) {
    std::array<char, 65536> buffer{};
    for (ssize_t n = 0; (n = ::read(fd, buffer.data(), buffer.size())) > 0;) into.append(buffer.data(), n);
    ::close(fd);
  };
  if (stdout_to != Stdout::broken_pipe) drain(out[0], run.out);
  drain(err[0], run.err);
  int status = 0;
  EXPECT_EQ(::waitpid(child, &status, 0), child);
  if (WIFEXITED(status)) run.exit_code = WEXITSTATUS(status);
  return run;
}

// A name of 1 to 12 random bytes that a file can have: no NUL, no '/', not "." or "..", and
// not starting with '-' (the tool would take it for an option).
std::string random_name(std::mt19937& random) {
  std::uniform_int_distribution<int> length(1, 12);
  std::uniform_int_distribution<int> byte(1, 255);
  std::string name;
  for (int n = length(random); static_cast<int>(name.size()) < n;) {
    const char c = static_cast<char>(byte(random));
    if (c == '/' || (name.empty() && c == '-')) continue;
    name += c;
  }
  return name == "." || name == ".." ? name + "_" : name;
}

testing::AssertionResult clean_exit(const ToolRun& run) {
  if (run.exit_code == 0 || run.exit_code == 1) return testing::AssertionSuccess();
  return testing::AssertionFailure() << "exit " << run.exit_code << "; stderr: " << run.err;
}

testing::AssertionResult parses(const ToolRun& run) {
  if (json::accept(run.out)) return testing::AssertionSuccess();
  return testing::AssertionFailure() << "not JSON: " << run.out;
}

// Text output holds no control character but '\n', and no C1 control as UTF-8 writes it.
testing::AssertionResult printable(const std::string& text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto u = static_cast<unsigned char>(text[i]);
    const bool c1 = u == 0xC2 && i + 1 < text.size() && (static_cast<unsigned char>(text[i + 1]) & 0xE0) == 0x80;
    if ((u < 0x20 && u != '\n') || u == 0x7F || c1)
      return testing::AssertionFailure() << "control byte " << int{u} << " at " << i << " in: " << text;
  }
  return testing::AssertionSuccess();
}

void make_private(const fs::path& path) {
  fs::permissions(path, fs::perms::group_write | fs::perms::others_write, fs::perm_options::remove);
}

TEST(CliRobustness, RandomBytesInNamesKeysAndPaths) {
  const fs::path scratch = fx::scratch_dir();
  const unsigned seed = 20261204;
  std::mt19937 random(seed);
  SCOPED_TRACE("seed " + std::to_string(seed));
  for (int round = 0; round < 12; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    // A plugin at <root>/<random dir>/<random name>.so, copied from an example.
    const fs::path root = scratch / std::to_string(round);
    const fs::path directory = root / random_name(random);
    fs::create_directories(directory);
    make_private(root);
    make_private(directory);
    const fs::path plugin = directory / (random_name(random) + ".so");
    fs::copy_file(SPECULATORS_TEST_EXAMPLE_PLUGIN, plugin);
    make_private(plugin);
    const std::string env_path = "SPECULATORS_PLUGIN_PATH=/" + random_name(random) + ":" + random_name(random);

    ToolRun list = run_tool({"list", "--json", "--plugin-path", root.string()}, {env_path});
    EXPECT_TRUE(clean_exit(list));
    ASSERT_TRUE(parses(list));
    // The copy is found (the example plugins of the build tree too), its key read from its manifest.
    bool found = false;
    const json listed = json::parse(list.out);
    for (const json& m : listed["modules"]) {
      found = found || (m["root"] == root.string() && m["entries"].size() == 2 && m["entries"][0]["key"] == "greedy");
    }
    EXPECT_TRUE(found) << list.out;

    ToolRun text = run_tool({"list", "--plugin-path", root.string()}, {env_path});
    EXPECT_TRUE(clean_exit(text));
    EXPECT_TRUE(printable(text.out));
    EXPECT_TRUE(printable(text.err));

    for (const bool json_output : {true, false}) {
      std::vector<std::string> json_flag =
          json_output ? std::vector<std::string>{"--json"} : std::vector<std::string>{};
      const auto with_flag = [&](std::vector<std::string> args) {
        args.insert(args.end(), json_flag.begin(), json_flag.end());
        return args;
      };
      const std::vector<ToolRun> runs = {
          run_tool(with_flag({"doctor", "--plugin-path", root.string()}), {env_path}),
          run_tool(with_flag({"inspect", plugin.string()})),
          run_tool(with_flag({"inspect", (directory / random_name(random)).string()})),
          run_tool(with_flag({"schema", random_name(random), "--plugin-path", root.string()})),
      };
      for (const ToolRun& run : runs) {
        EXPECT_TRUE(clean_exit(run));
        EXPECT_TRUE(printable(run.err));
        if (json_output && !run.out.empty()) {
          EXPECT_TRUE(parses(run));
        } else if (!json_output) {
          EXPECT_TRUE(printable(run.out));
        }
      }
    }

    // A config with a random name, holding random keys (valid JSON text: each key escaped).
    const fs::path config = directory / (random_name(random) + ".json");
    json body = {{"proposal_type", "greedy"}};
    body[random_name(random)] = random_name(random);
    std::ofstream(config) << body.dump(-1, ' ', true, json::error_handler_t::replace);
    for (const std::string& registry : {std::string("TokenProposalConfig"), random_name(random)}) {
      const ToolRun validate =
          run_tool({"validate", "--json", registry, config.string(), "--plugin-path", root.string()});
      EXPECT_TRUE(clean_exit(validate));
      if (!validate.out.empty()) {
        EXPECT_TRUE(parses(validate));
      }
      const ToolRun validate_text = run_tool({"validate", registry, config.string()});
      EXPECT_EQ(validate_text.exit_code, 1) << validate_text.err;  // a random key is an unknown field
      EXPECT_TRUE(printable(validate_text.err));
    }
  }
}

TEST(CliRobustness, AnOutputThatCannotBeWrittenIsAnError) {
  const std::vector<std::pair<Stdout, std::string>> cases = {
      {Stdout::dev_full, "No space left on device"},
      {Stdout::closed, "Bad file descriptor"},
      {Stdout::broken_pipe, "Broken pipe"},
  };
  for (const auto& [stdout_to, reason] : cases) {
    SCOPED_TRACE(reason);
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"list"}, std::vector<std::string>{"doctor", "--json"}}) {
      const ToolRun run = run_tool(args, {}, stdout_to);
      EXPECT_EQ(run.exit_code, 1);
      EXPECT_EQ(run.err, "speculators-registry: cannot write the output: " + reason + "\n");
    }
  }
}

TEST(CliRobustness, ARemovedCurrentDirectoryIsReported) {
  const fs::path gone = fx::scratch_dir() / "gone";
  fs::create_directories(gone);
  const ToolRun run = run_tool({"list", "--plugin-path", "."}, {}, Stdout::captured, gone);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.err,
            "speculators-registry: --plugin-path . cannot be made absolute: the current directory cannot be read (No "
            "such file or directory)\n");
}

}  // namespace
