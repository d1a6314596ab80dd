/** Entry point: defining the root element starts the app (index.html already contains <chat-app>). */
import './theme.css';
import './components/chat-app';
