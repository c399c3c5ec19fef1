/**
 * The ribbon's FunctionFile. The Liuhen button opens the task pane (a ShowTaskpane action, no code needed);
 * Office still requires a FunctionFile for the command surface, so this registers the one UI-less action the
 * manifest may name (`openLiuhen`), which simply opens the task pane.
 */
Office.onReady(() => {
  Office.actions.associate('openLiuhen', (event: Office.AddinCommands.Event) => {
    Office.addin
      .showAsTaskpane()
      .catch(() => undefined)
      .finally(() => event.completed());
  });
}).catch(() => undefined);
