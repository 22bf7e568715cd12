"""How mailview says facts in words, for every face (panels, diagram, text, Markdown, HTML,
ticket). Qt-free; the faces ask here instead of wording a delay or a hop themselves."""
