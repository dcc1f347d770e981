// The dashboard's entry: a key from a #key= link is taken out of the address bar before the
// first route is read, then the app renders into #app.
import { render } from 'preact';
import { App } from './app/App';
import { takeKeyFromLocation } from './app/session';
import './styles/base.css';

render(<App linkKey={takeKeyFromLocation()} />, document.getElementById('app')!);
