// view_controller.h — what each key does in the agent view.
//
// Why: the view's behaviour (README.md "Agent view": move, attach, peek and reply,
// pin, rename, stop-then-delete, grouping, layout, find, dispatch) is a
// state machine over the model; keeping it free of ncurses and sockets lets
// unit tests drive it key by key. Keys arrive as InputEvents, are matched to
// [view] bindings, and produce Effects the view then carries out (talking to
// the supervisor or a host, attaching). Time is passed in, never read.
//
// Modes: Normal (the prompt box takes typing), Find (the find box takes
// typing and filters the list), Rename (the selected row's name is edited),
// Peek (the selected session's screen in an overlay, with a reply line),
// Help (the live bindings), ConfirmDelete (deleting a session whose worktree
// goes with it).
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "keymap/keymap_table.h"
#include "mux/daemon/dispatch.h"
#include "view/key_input.h"
#include "view/line_edit.h"
#include "view/view_defaults.h"
#include "view/view_model.h"

namespace amux::view {

enum class Layout { Rows, Grid };
enum class Mode { Normal, Find, Rename, Peek, Help, ConfirmDelete };

struct Effect {
  enum Kind { Attach, Dispatch, Stop, Remove, Pin, Unpin, Rename, Reply, SavePrefs, Quit, Suspend, Redraw, Diff } kind;
  std::string id;
  std::string text;               // Rename: the new name; Reply: the line
  mux::NewSession session;        // Dispatch
  std::string host;               // Dispatch: on this configured host
  bool attach = false;            // Dispatch: attach once started
  bool discard_worktree = false;  // Remove: delete the worktree with its uncommitted work
};

// The arm of Ctrl+X: a second press on the same row within the window deletes.
inline constexpr int64_t kRemoveArmMs = 2000;
inline constexpr int64_t kStatusMs = 4000;
inline constexpr int64_t kDoubleClickMs = 400;

class Controller {
 public:
  // Throws std::invalid_argument when a [view] binding names an unknown key.
  Controller(ViewModel& model, const keymap::KeymapTable& keys, ViewDefaults defaults,
             std::function<bool(const std::string&)> is_dir);

  std::vector<Effect> on_input(const InputEvent& ev, int64_t now);
  // A row or tile was clicked (double-click attaches); wheel moves.
  std::vector<Effect> on_click(const std::string& id, int64_t now);
  void on_wheel(int delta);
  // Expire the Ctrl+X arm and transient messages; true when something changed.
  bool tick(int64_t now);
  // Earliest time tick() has work (0: none).
  int64_t next_deadline() const;

  // A transient line in place of the hints (errors in red).
  void set_status(const std::string& text, bool error, int64_t now);
  // After an attach returns, the hint says "enter to return".
  void set_returned(bool r) { returned_ = r; }

  // ---- read by the drawing layer ----
  Mode mode() const { return mode_; }
  Layout layout() const { return layout_; }
  const LineEdit& prompt() const { return prompt_; }
  const LineEdit& find_box() const { return find_; }
  const LineEdit& rename_box() const { return rename_; }
  const LineEdit& reply_box() const { return reply_; }
  const std::string& peek_id() const { return peek_id_; }
  const std::string& rename_id() const { return rename_id_; }
  const std::string& armed_id() const { return armed_id_; }
  const std::string& status() const { return status_; }
  bool status_error() const { return status_error_; }
  std::string hint_line() const;
  // (keys, what) for the shortcuts overlay, from the live bindings.
  std::vector<std::pair<std::string, std::string>> help_entries() const;
  const ViewDefaults& defaults() const { return defaults_; }
  const ActionMap& actions() const { return actions_; }
  // The drawing layer tells how many tiles a grid row holds (for ↑/↓).
  void set_grid_columns(int n) { grid_columns_ = n > 0 ? n : 1; }
  uint64_t version() const { return version_; }

 private:
  std::vector<Effect> normal_key(const InputEvent& ev, const std::vector<std::string>& acts, int64_t now);
  std::vector<Effect> find_key(const InputEvent& ev, const std::vector<std::string>& acts, int64_t now);
  std::vector<Effect> rename_key(const InputEvent& ev, const std::vector<std::string>& acts);
  std::vector<Effect> peek_key(const InputEvent& ev, const std::vector<std::string>& acts, int64_t now);
  std::vector<Effect> confirm_key(const std::vector<std::string>& acts);
  // Actions that work on the selection in Normal and Find.
  bool common_action(const std::string& a, std::vector<Effect>& out, int64_t now);
  // Normal mode: the prompt box's actions while it holds text, then the rest.
  bool prompt_action(const std::vector<std::string>& acts, std::vector<Effect>& out, int64_t now);
  bool normal_action(const std::vector<std::string>& acts, std::vector<Effect>& out, int64_t now);
  void remove_pressed(const std::string& id, std::vector<Effect>& out, int64_t now);
  void dispatch(bool attach, std::vector<Effect>& out, int64_t now);
  void move(int delta);
  void close_find();
  void changed() { version_++; }

  ViewModel& m_;
  ActionMap actions_;
  ViewDefaults defaults_;
  std::function<bool(const std::string&)> is_dir_;
  Mode mode_ = Mode::Normal;
  Layout layout_ = Layout::Rows;
  LineEdit prompt_, find_, rename_, reply_;
  std::string cleared_;        // the prompt text Esc cleared (restore brings it back)
  std::string peek_id_, rename_id_;
  std::string armed_id_;
  int64_t armed_until_ = 0;
  std::string status_;
  bool status_error_ = false;
  int64_t status_until_ = 0;
  bool returned_ = false;
  std::string last_click_id_;
  int64_t last_click_at_ = 0;
  int grid_columns_ = 1;
  uint64_t version_ = 1;
};

}  // namespace amux::view
